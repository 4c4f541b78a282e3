import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { ImapParseError } from './errors.js';
import {
  formatRanges,
  formatSequenceSet,
  parseSequenceSet,
  rangesContain,
  resolveSequenceSet,
  selectIds,
  type SeqNumber,
} from './sequence.js';

const num: fc.Arbitrary<SeqNumber> = fc.oneof(
  fc.integer({ min: 1, max: 60 }),
  fc.integer({ min: 1, max: 4294967295 }),
  fc.constant('*' as const),
);
const set = fc
  .array(fc.tuple(num, num), { minLength: 1, maxLength: 8 })
  .map((ranges) => ({ saved: false as const, ranges }));

it('sequence: format then parse gives the same set; resolved ranges agree with a naive check', () => {
  fc.assert(
    fc.property(
      set,
      fc.integer({ min: 1, max: 70 }),
      fc.uniqueArray(fc.integer({ min: 1, max: 80 }), { maxLength: 30 }),
      (s, max, ids) => {
        const text = formatSequenceSet(s);
        assert.deepEqual(parseSequenceSet(text), s);
        const resolved = resolveSequenceSet(s, max);
        assert.deepEqual(resolveSequenceSet(parseSequenceSet(formatRanges(resolved)), max), resolved);
        const naive = (n: number) =>
          s.ranges.some(([a, b]) => {
            const x = a === '*' ? max : a;
            const y = b === '*' ? max : b;
            return n >= Math.min(x, y) && n <= Math.max(x, y);
          });
        ids.sort((a, b) => a - b);
        assert.deepEqual([...selectIds(resolved, ids)], ids.filter(naive));
        for (const n of ids) assert.equal(rangesContain(resolved, n), naive(n));
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('sequence: any text parses or fails with ImapParseError', () => {
  fc.assert(
    fc.property(
      fc
        .array(fc.constantFrom('1', '0', '9', ':', ',', '*', '$', '4294967296', 'x'), { maxLength: 12 })
        .map((a) => a.join('')),
      (t) => {
        try {
          parseSequenceSet(t);
        } catch (e) {
          assert.ok(e instanceof ImapParseError);
        }
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
