import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { CYRUS_INDEX_VERSIONS, parseCyrusHeader, parseCyrusIndex } from './cyrus-index.js';

const SYSTEM = ['\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Seen'];

const record = fc.record({
  uid: fc.integer({ min: 1, max: 0xffffffff }),
  seconds: fc.integer({ min: 0, max: 0xffffffff }),
  system: fc.subarray([0, 1, 2, 3, 4]),
  user: fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { maxLength: 8 }),
  expunged: fc.boolean(),
  /** Bits Cyrus keeps for itself (unlinked, archived…) that are no flags. */
  internal: fc.integer({ min: 0, max: 0x7fff }),
});
type Rec = typeof record extends fc.Arbitrary<infer T> ? T : never;

/** A cyrus.index as imap/mailbox.h lays it out (versions 10–19), with filler where other fields live. */
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
    buf.writeUInt32BE(r.uid, at);
    buf.writeUInt32BE(r.seconds, at + 4);
    let system = (r.expunged ? 0x80000000 : 0) | (r.internal << 16);
    for (const b of r.system) system |= 1 << b;
    buf.writeUInt32BE(system >>> 0, at + 32);
    for (let w = 0; w < 4; w++) {
      let word = 0;
      for (const bit of r.user) if (bit >> 5 === w) word |= 1 << (bit & 31);
      buf.writeUInt32BE(word >>> 0, at + 36 + w * 4);
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
      fc.integer({ min: 52, max: 160 }),
      fc.array(record, { maxLength: 40 }),
      fc.constantFrom(0, 0xff),
      (version, start, size, recs, fill) => {
        const parsed = parseCyrusIndex(writeIndex(version, start, size, recs, fill), keywords);
        assert.deepEqual(
          parsed,
          recs.map((r) => ({
            uid: r.uid,
            internalDate: r.seconds * 1000,
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
    .map((recs) => writeIndex(17, 160, 112, recs, 0));
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
