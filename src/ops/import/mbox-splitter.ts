/**
 * Splits an mbox stream into messages. A message starts at a `From ` line at the start of the
 * file or after an empty line; the empty line before the next `From ` is the separator, not part
 * of the message. A `Content-Length` header that lands exactly on the next `From ` line (or the
 * end) is trusted, and the body is taken as stored: Dovecot and other mboxcl2 writers do not
 * quote `From ` lines in bodies. Otherwise the body runs to the next separator and `>From ` lines
 * are unquoted the mboxrd way (one `>` removed).
 */
export interface MboxEntry {
  /** The `From ` line without its line end. */
  fromLine: string;
  /** The message, LF or CRLF as stored, without the separator. */
  raw: Buffer;
}

const FROM = Buffer.from('From ');
const QUOTED_FROM = /^>+From /;

const isFrom = (line: Buffer | undefined) => line !== undefined && line.subarray(0, 5).equals(FROM);
const isEmpty = (line: Buffer | undefined) =>
  line !== undefined &&
  (line.length === 1 ? line[0] === 10 : line.length === 2 && line[0] === 13 && line[1] === 10);

/** Lines (each with its line end) with look-ahead: lines read too far are put back. */
class LineReader {
  private carry: Buffer = Buffer.alloc(0);
  private ready: Buffer[] = [];
  private readonly back: Buffer[] = [];
  private done = false;
  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  async next(): Promise<Buffer | undefined> {
    if (this.back.length) return this.back.pop();
    while (!this.ready.length && !this.done) await this.fill();
    return this.ready.shift();
  }

  /** Puts lines back, to be read again in the order given. */
  unread(lines: readonly Buffer[]): void {
    for (let i = lines.length - 1; i >= 0; i--) this.back.push(lines[i]!);
  }

  private async fill(): Promise<void> {
    const r = await this.chunks.next();
    if (r.done) {
      this.done = true;
      if (this.carry.length) this.ready.push(this.carry);
      return;
    }
    const buf = this.carry.length ? Buffer.concat([this.carry, r.value]) : r.value;
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      this.ready.push(buf.subarray(start, nl + 1));
      start = nl + 1;
    }
    this.carry = buf.subarray(start);
  }
}

function contentLength(head: readonly Buffer[]): number | undefined {
  for (const l of head) {
    const m = /^content-length:\s*(\d+)\s*$/i.exec(l.toString('latin1'));
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The body if exactly `n` bytes end on a line followed by the separator and a `From ` line (or the end); otherwise undefined, nothing consumed. */
async function bodyByLength(r: LineReader, n: number): Promise<Buffer[] | undefined> {
  const taken: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const l = await r.next();
    if (!l) break;
    taken.push(l);
    size += l.length;
  }
  if (size === n) {
    const after = await r.next();
    if (after === undefined) return taken;
    if (isEmpty(after)) {
      const next = await r.next();
      if (next === undefined || isFrom(next)) {
        if (next) r.unread([next]);
        return taken;
      }
      r.unread([...taken, after, next]);
      return undefined;
    }
    r.unread([...taken, after]);
    return undefined;
  }
  r.unread(taken);
  return undefined;
}

/** The body up to the next `From ` line after an empty line, which is left unread. */
async function bodyBySeparator(r: LineReader): Promise<Buffer[]> {
  const body: Buffer[] = [];
  let previousEmpty = true;
  for (let l = await r.next(); l; l = await r.next()) {
    if (previousEmpty && isFrom(l)) {
      r.unread([l]);
      break;
    }
    previousEmpty = isEmpty(l);
    body.push(l[0] === 0x3e && QUOTED_FROM.test(l.subarray(0, 64).toString('latin1')) ? l.subarray(1) : l);
  }
  if (isEmpty(body.at(-1))) body.pop();
  return body;
}

export async function* splitMbox(chunks: AsyncIterable<Buffer>): AsyncIterable<MboxEntry> {
  const r = new LineReader(chunks[Symbol.asyncIterator]());
  let line = await r.next();
  // Text before the first From line is not a message.
  while (line !== undefined && !isFrom(line)) line = await r.next();
  while (line !== undefined) {
    const fromLine = line.toString('latin1').replace(/\r?\n$/, '');
    const head: Buffer[] = [];
    let l = await r.next();
    for (; l !== undefined && !isEmpty(l); l = await r.next()) head.push(l);
    let body: Buffer[] = [];
    if (l !== undefined) {
      head.push(l);
      const n = contentLength(head);
      body = (n !== undefined ? await bodyByLength(r, n) : undefined) ?? (await bodyBySeparator(r));
    }
    yield { fromLine, raw: Buffer.concat([...head, ...body]) };
    line = await r.next();
    while (line !== undefined && !isFrom(line)) line = await r.next();
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ASCTIME =
  /(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:[A-Z]{3,4}\s+|[+-]\d{4}\s+)?(\d{4})/;

/** The time in a `From sender Www Mmm dd hh:mm:ss yyyy` line (read as UTC), or undefined. */
export function fromLineDate(fromLine: string): number | undefined {
  const m = ASCTIME.exec(fromLine);
  if (!m) return undefined;
  const t = Date.UTC(
    Number(m[6]),
    MONTHS.indexOf(m[1]!),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5] ?? 0),
  );
  return Number.isFinite(t) ? t : undefined;
}
