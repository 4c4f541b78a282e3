import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { CYRUS_INDEX_VERSIONS, cyrusHeaderName, parseCyrusHeader, parseCyrusIndex } from './cyrus-index.js';

const SYSTEM = ['\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Seen'];

const record = fc.record({
  uid: fc.integer({ min: 1, max: 0xffffffff }),
  seconds: fc.integer({ min: 0, max: 0xffffffff }),
  /** Below the second: only version 20 keeps it (as nanoseconds). */
  nanos: fc.integer({ min: 0, max: 999_999_999 }),
  system: fc.subarray([0, 1, 2, 3, 4]),
  user: fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { maxLength: 8 }),
  expunged: fc.boolean(),
  /** Bits Cyrus keeps for itself (unlinked, archived…) that are no flags. */
  internal: fc.integer({ min: 0, max: 0x7fff }),
});
type Rec = typeof record extends fc.Arbitrary<infer T> ? T : never;

/**
 * A cyrus.index as imap/index_file.c lays it out, with filler where other fields live: versions
 * 10–19 keep the internal date in seconds at 4, system flags at 32, keywords at 36; version 20
 * in nanoseconds (64 bits) at 8, system flags at 36, keywords at 40.
 */
function writeIndex(
  version: number,
  start: number,
  size: number,
  recs: readonly Rec[],
  fill: number,
): Buffer {
  const buf = Buffer.alloc(start + size * recs.length, fill);
  buf.writeUInt32BE(version, 8);
  buf.writeUInt32BE(start, 12);
  buf.writeUInt32BE(size, 16);
  buf.writeUInt32BE(recs.length, 20);
  recs.forEach((r, i) => {
    const at = start + i * size;
    const v20 = version >= 20;
    buf.writeUInt32BE(r.uid, at);
    if (v20) buf.writeBigUInt64BE(BigInt(r.seconds) * 1_000_000_000n + BigInt(r.nanos), at + 8);
    else buf.writeUInt32BE(r.seconds, at + 4);
    let system = (r.expunged ? 0x80000000 : 0) | (r.internal << 16);
    for (const b of r.system) system |= 1 << b;
    buf.writeUInt32BE(system >>> 0, at + (v20 ? 36 : 32));
    for (let w = 0; w < 4; w++) {
      let word = 0;
      for (const bit of r.user) if (bit >> 5 === w) word |= 1 << (bit & 31);
      buf.writeUInt32BE(word >>> 0, at + (v20 ? 40 : 36) + w * 4);
    }
  });
  return buf;
}

const keywords = Array.from({ length: 128 }, (_, i) => `$kw${i}`);

it('reads back every record written in the cyrus.index layout, whatever the header and record sizes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: CYRUS_INDEX_VERSIONS.min, max: CYRUS_INDEX_VERSIONS.max }),
      fc.integer({ min: 24, max: 200 }),
      fc.integer({ min: 56, max: 160 }),
      fc.array(record, { maxLength: 40 }),
      fc.constantFrom(0, 0xff),
      (version, start, size, recs, fill) => {
        const parsed = parseCyrusIndex(writeIndex(version, start, size, recs, fill), keywords);
        assert.deepEqual(
          parsed,
          recs.map((r) => ({
            uid: r.uid,
            internalDate: r.seconds * 1000 + (version >= 20 ? Math.floor(r.nanos / 1e6) : 0),
            flags: [
              ...SYSTEM.filter((_, b) => r.system.includes(b)),
              ...[...r.user].sort((a, b) => a - b).map((b) => keywords[b]),
            ],
            expunged: r.expunged,
          })),
        );
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('refuses a damaged or foreign cyrus.index with an error naming the file, never a crash or a wrong read', () => {
  const valid = fc
    .array(record, { minLength: 1, maxLength: 10 })
    .chain((recs) =>
      fc
        .constantFrom([17, 160, 112], [20, 192, 144])
        .map(([version, start, size]) => writeIndex(version!, start!, size!, recs, 0)),
    );
  const damaged = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
    fc.tuple(valid, fc.nat()).map(([b, n]) => b.subarray(0, n % b.length)),
    fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([b, at, v]) => {
      const c = Buffer.from(b);
      c[at % 24] = v;
      return c;
    }),
  );
  fc.assert(
    fc.property(damaged, (buf) => {
      try {
        const recs = parseCyrusIndex(buf, [], 'x/cyrus.index');
        // What it does read lies inside the buffer the header describes.
        const start = buf.readUInt32BE(12);
        const size = buf.readUInt32BE(16);
        assert.ok(start + size * recs.length <= buf.length);
      } catch (e) {
        assert.ok(e instanceof Error && !(e instanceof RangeError) && !(e instanceof TypeError), String(e));
        assert.match(e.message, /^x\/cyrus\.index: /);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

it('reads keyword names from both cyrus.header formats', () => {
  const atom = fc.stringMatching(/^\$?[A-Za-z][A-Za-z0-9_]{0,11}$/);
  const magic =
    '\u00a1\u0002\u008b\rCyrus mailbox header\n"The best thing about this system was that it had lots of goals."\n\t--Jim Morris on Andrew\n';
  fc.assert(
    fc.property(fc.uniqueArray(atom, { maxLength: 20 }), (names) => {
      const v3 = `${magic}%(T e N user.alice I abc A %(alice lrswipkxtecdan)${names.length ? ` U (${names.join(' ')})` : ''})\n`;
      assert.deepEqual(parseCyrusHeader(v3), names);
      const v2 = `${magic}user.alice\t4f2b1c0d5e6a7b8c\n${names.join(' ')} \nalice\tlrswipkxtecda\t\n`;
      assert.deepEqual(parseCyrusHeader(v2), names);
    }),
    { numRuns: fuzzRuns() },
  );
});

/** A string as Cyrus prints it in a dlist (lib/prot.c prot_printastring): atom, "quoted" or {N} literal. */
function astring(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (/^[!#$&'+,\-./0-9:;<=>?@A-Z[\]^_`a-z|}~]+$/.test(s) && s !== 'NIL') return bytes;
  if (!/[^\x20-\x7e]|["%\\]/.test(s) && bytes.length < 1024) return Buffer.from(`"${s}"`);
  return Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`), bytes]);
}

const MAGIC =
  '\u00a1\u0002\u008b\rCyrus mailbox header\n"The best thing about this system was that it had lots of goals."\n\t--Jim Morris on Andrew\n';

it('reads the folder name and keywords of a Cyrus 3 cyrus.header however Cyrus had to write them', () => {
  const part = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9^&-]{1,12}$/),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((p) => !p.includes('.')),
  );
  fc.assert(
    fc.property(fc.array(part, { maxLength: 4 }), fc.uniqueArray(part, { maxLength: 6 }), (parts, kws) => {
      const name = ['user', 'alice', ...parts].join('.');
      const header = Buffer.concat([
        Buffer.from(MAGIC, 'latin1'),
        Buffer.from('%(T e N '),
        astring(name),
        Buffer.from(' I 28ataokj8ufsslqjke5zcsgq A %(alice lrswipkxtecdan)'),
        ...(kws.length
          ? [
              Buffer.from(' U ('),
              ...kws.flatMap((k, i) => (i ? [Buffer.from(' '), astring(k)] : [astring(k)])),
              Buffer.from(')'),
            ]
          : []),
        Buffer.from(')\n'),
      ]).toString('latin1');
      assert.equal(cyrusHeaderName(header), name);
      assert.deepEqual(parseCyrusHeader(header), kws);
    }),
    { numRuns: fuzzRuns() },
  );
});

it('refuses a damaged cyrus.header with an Error, never a crash, a hang or a read past its end', () => {
  const valid = Buffer.from(
    `${MAGIC}%(T e N "user.alice.My Work" I abc A %(alice lrs) U ($Label1 {3}\r\nabc))\n`,
    'latin1',
  );
  const damaged = fc.oneof(
    fc
      .uint8Array({ maxLength: 300 })
      .map((a) => Buffer.concat([Buffer.from(MAGIC, 'latin1'), Buffer.from(a)])),
    fc.nat().map((n) => valid.subarray(0, n % valid.length)),
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
      const c = Buffer.from(valid);
      c[at % c.length] = v;
      return c;
    }),
  );
  fc.assert(
    fc.property(damaged, (buf) => {
      const text = buf.toString('latin1');
      for (const read of [cyrusHeaderName, parseCyrusHeader])
        try {
          read(text);
        } catch (e) {
          assert.ok(e instanceof Error && !(e instanceof RangeError) && !(e instanceof TypeError), String(e));
        }
    }),
    { numRuns: fuzzRuns() },
  );
});
