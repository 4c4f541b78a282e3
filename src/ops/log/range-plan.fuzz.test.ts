import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DAY_MS, HOUR_MS, planRange } from './range-plan.js';
import { fuzzRuns } from '../../../test/support/fuzz.js';

test('the pieces cover the range exactly once', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 90 * DAY_MS }),
      fc.integer({ min: 1, max: 60 * DAY_MS }),
      (from, len) => {
        const to = from + len;
        const p = planRange(from, to);
        const pieces: [number, number][] = [
          ...p.raw,
          ...p.hours.map(([a, b]): [number, number] => [a * HOUR_MS, b * HOUR_MS]),
          ...(p.days ? [[p.days[0] * DAY_MS, p.days[1] * DAY_MS] as [number, number]] : []),
        ].sort((a, b) => a[0] - b[0]);
        let at = from;
        for (const [a, b] of pieces) {
          assert.equal(a, at);
          assert.ok(b > a);
          at = b;
        }
        assert.equal(at, to);
        assert.ok(
          p.raw.length <= 2 &&
            p.raw.every(([a, b]) => Math.floor(a / HOUR_MS) === Math.floor((b - 1) / HOUR_MS)),
        );
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
