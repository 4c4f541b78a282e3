/** The address columns of the summary; a rollup keeps one of them, `detail` keeps all three. */
export const DIMS = ['sender', 'recipient', 'auth'] as const;
export type Dim = (typeof DIMS)[number];

/**
 * An attempt's kind, result and webmail flag packed in 4 bits, so that one column holds what the
 * filters test: kind in bit 0, result in bits 1–2, webmail in bit 3.
 */
export const classOf = (kind: number, result: number, webmail: number): number =>
  kind | (result << 1) | (webmail << 3);
export const kindOf = (cls: number): number => cls & 1;
export const resultOf = (cls: number): number => (cls >> 1) & 3;
export const webmailOf = (cls: number): number => cls >> 3;

/**
 * A block of summary rows in columns: for each row the interned ids of the address columns it
 * keeps (0 = none), its class, its count of attempts and their bytes. Queries sum these columns
 * in typed arrays, which is what makes a month of rows cheap to read.
 */
export interface Segment {
  length: number;
  ids: Partial<Record<Dim, Uint32Array>>;
  cls: Uint8Array;
  n: Uint32Array;
  bytes: Float64Array;
}

const HEADER = 8;

/**
 * Stored layout: u32 row count, u32 mask of the id columns present (bit i for DIMS[i]), then the
 * f64 bytes column first (8-byte aligned), the id columns, the counts and the classes.
 */
export function encodeSegment(s: Segment): Buffer {
  const dims = DIMS.filter((d) => s.ids[d]);
  const len = s.length;
  const buf = Buffer.alloc(HEADER + len * (8 + 4 * dims.length + 4 + 1));
  buf.writeUInt32LE(len, 0);
  buf.writeUInt32LE(
    dims.reduce((m, d) => m | (1 << DIMS.indexOf(d)), 0),
    4,
  );
  let at = HEADER;
  const put = (a: ArrayBufferView, bytesPer: number) => {
    buf.set(new Uint8Array(a.buffer, a.byteOffset, len * bytesPer), at);
    at += len * bytesPer;
  };
  put(s.bytes, 8);
  for (const d of dims) put(s.ids[d]!, 4);
  put(s.n, 4);
  put(s.cls, 1);
  return buf;
}

export function decodeSegment(stored: Buffer): Segment {
  // Typed array views need their element alignment; a buffer handed over by SQLite may not have it.
  const buf = stored.byteOffset % 8 === 0 ? stored : Buffer.from(new Uint8Array(stored).buffer);
  const len = buf.readUInt32LE(0);
  const mask = buf.readUInt32LE(4);
  if (buf.length < HEADER + len * 9) throw new Error(`log index: a summary segment is cut short`);
  let at = buf.byteOffset + HEADER;
  const take = <T>(make: (b: ArrayBufferLike, off: number, n: number) => T, bytesPer: number): T => {
    const v = make(buf.buffer, at, len);
    at += len * bytesPer;
    return v;
  };
  const bytes = take((b, o, n) => new Float64Array(b, o, n), 8);
  const ids: Segment['ids'] = {};
  DIMS.forEach((d, i) => {
    if (mask & (1 << i)) ids[d] = take((b, o, n) => new Uint32Array(b, o, n), 4);
  });
  const n = take((b, o, k) => new Uint32Array(b, o, k), 4);
  const cls = take((b, o, k) => new Uint8Array(b, o, k), 1);
  return { length: len, ids, cls, n, bytes };
}

/** Columns that grow as rows are added, for building a segment. */
class Columns {
  length = 0;
  ids: Partial<Record<Dim, Uint32Array>>;
  cls = new Uint8Array(256);
  n = new Uint32Array(256);
  bytes = new Float64Array(256);

  constructor(readonly dims: readonly Dim[]) {
    this.ids = Object.fromEntries(dims.map((d) => [d, new Uint32Array(256)]));
  }

  /** Index of a new zeroed row. */
  protected grow(): number {
    if (this.length === this.n.length) {
      const cap = this.length * 2;
      const bigger = <T extends Uint8Array | Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(cap);
        b.set(a as never);
        return b;
      };
      this.cls = bigger(this.cls, (k) => new Uint8Array(k));
      this.n = bigger(this.n, (k) => new Uint32Array(k));
      this.bytes = bigger(this.bytes, (k) => new Float64Array(k));
      for (const d of this.dims) this.ids[d] = bigger(this.ids[d]!, (k) => new Uint32Array(k));
    }
    return this.length++;
  }

  segment(): Segment {
    const len = this.length;
    return {
      length: len,
      ids: Object.fromEntries(this.dims.map((d) => [d, this.ids[d]!.subarray(0, len)])),
      cls: this.cls.subarray(0, len),
      n: this.n.subarray(0, len),
      bytes: this.bytes.subarray(0, len),
    };
  }
}

/**
 * Rows with all three ids, one per attempt as added: the combinations of sender, recipient and
 * account in an hour are nearly all distinct, so looking them up to merge would cost more than
 * the rows it saves. Queries sum duplicates like any other rows.
 */
export class DetailBuilder extends Columns {
  constructor() {
    super(DIMS);
  }

  add(sender: number, recipient: number, auth: number, cls: number, n: number, bytes: number): void {
    const i = this.grow();
    this.ids.sender![i] = sender;
    this.ids.recipient![i] = recipient;
    this.ids.auth![i] = auth;
    this.cls[i] = cls;
    this.n[i] = n;
    this.bytes[i] = bytes;
  }
}

/** Rows of one id column, merged by (id, class): one row per address and class however often it occurs. */
export class RollupBuilder extends Columns {
  private readonly rows = new Map<number, number>();

  constructor(readonly dim: Dim) {
    super([dim]);
  }

  add(id: number, cls: number, n: number, bytes: number): void {
    const key = id * 16 + cls;
    let i = this.rows.get(key);
    if (i === undefined) {
      i = this.grow();
      this.rows.set(key, i);
      this.ids[this.dim]![i] = id;
      this.cls[i] = cls;
    }
    this.n[i]! += n;
    this.bytes[i]! += bytes;
  }

  /** The rows in id order: a query then walks its sums array forward instead of at random. */
  override segment(): Segment {
    const s = super.segment();
    const ids = s.ids[this.dim]!;
    const order = Uint32Array.from({ length: s.length }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
    const pick = <T extends Uint8Array | Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const out = make(s.length);
      for (let i = 0; i < s.length; i++) out[i] = a[order[i]!]!;
      return out;
    };
    return {
      length: s.length,
      ids: { [this.dim]: pick(ids, (k) => new Uint32Array(k)) },
      cls: pick(s.cls, (k) => new Uint8Array(k)),
      n: pick(s.n, (k) => new Uint32Array(k)),
      bytes: pick(s.bytes, (k) => new Float64Array(k)),
    };
  }

  addSegment(s: Segment): void {
    const ids = s.ids[this.dim]!;
    for (let i = 0; i < s.length; i++) this.add(ids[i]!, s.cls[i]!, s.n[i]!, s.bytes[i]!);
  }
}

/** Several detail segments as one (for compaction): their rows one after another. */
export function concatSegments(parts: Segment[]): Segment {
  const out = new DetailBuilder();
  for (const s of parts) {
    for (let i = 0; i < s.length; i++)
      out.add(s.ids.sender![i]!, s.ids.recipient![i]!, s.ids.auth![i]!, s.cls[i]!, s.n[i]!, s.bytes[i]!);
  }
  return out.segment();
}
