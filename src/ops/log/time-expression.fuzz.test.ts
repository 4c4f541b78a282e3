import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDurationPhrase, parseTimePoint } from './time-expression.js';
import { MailsteadError } from '../../core/errors.js';
import { fuzzRuns } from '../../../test/support/fuzz.js';

const UNITS: [number, string[]][] = [
  [1000, ['s', 'sec', 'second', 'seconds']],
  [60_000, ['m', 'min', 'minute', 'minutes']],
  [3_600_000, ['h', 'hr', 'hours', 'hour']],
  [86_400_000, ['d', 'day', 'days']],
  [604_800_000, ['w', 'week', 'weeks']],
];
const unit = fc
  .integer({ min: 0, max: UNITS.length - 1 })
  .chain((i) => fc.constantFrom(...UNITS[i]![1]).map((word) => ({ ms: UNITS[i]![0], word })));
const space = fc.constantFrom('', ' ', '  ');
const casing = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
);

test('one number and one unit, however spaced or cased, is that many units', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), unit, space, casing, (n, u, sp, c) => {
      assert.equal(parseDurationPhrase(c(`${n}${sp}${u.word}`)), n * u.ms);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('two amounts are always refused as mixed units', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 999 }),
      unit,
      fc.integer({ min: 1, max: 999 }),
      unit,
      (a, u, b, v) => {
        assert.throws(() => parseDurationPhrase(`${a} ${u.word} ${b} ${v.word}`), /mixes units/);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('"N units ago" is that long before now; epoch seconds and ISO times round-trip', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10_000 }),
      unit,
      fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
      (n, u, epoch) => {
        const now = epoch * 1000;
        assert.equal(parseTimePoint(`${n} ${u.word} ago`, now), now - n * u.ms);
        assert.equal(parseTimePoint(String(epoch), 0), now);
        assert.equal(parseTimePoint(new Date(now).toISOString(), 0), now);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('arbitrary text either parses or raises an operator error, never anything else', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      for (const parse of [() => parseDurationPhrase(s), () => parseTimePoint(s, 0)]) {
        try {
          const v = parse();
          assert.ok(Number.isFinite(v));
        } catch (e) {
          assert.ok(e instanceof MailsteadError && e.operator, String(e));
        }
      }
    }),
    { numRuns: fuzzRuns() },
  );
});
