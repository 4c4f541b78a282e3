import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, HOUR_MS, planRange } from './range-plan.js';

test('a range inside one hour is read raw', () => {
  const p = planRange(10 * HOUR_MS + 5, 10 * HOUR_MS + 500);
  assert.deepEqual(p.raw, [[10 * HOUR_MS + 5, 10 * HOUR_MS + 500]]);
  assert.deepEqual(p.hours, []);
  assert.equal(p.days, undefined);
});

test('hour-aligned ranges need no raw reading', () => {
  const p = planRange(3 * HOUR_MS, 7 * HOUR_MS);
  assert.deepEqual(p.raw, []);
  assert.deepEqual(p.hours, [[3, 7]]);
});

test('a month uses day rollups in the middle, hours and raw bytes at the edges', () => {
  const from = 2 * DAY_MS + 5 * HOUR_MS + 1234;
  const to = 32 * DAY_MS + 2 * HOUR_MS + 99;
  const p = planRange(from, to);
  assert.deepEqual(p.raw, [
    [from, 2 * DAY_MS + 6 * HOUR_MS],
    [32 * DAY_MS + 2 * HOUR_MS, to],
  ]);
  assert.deepEqual(p.hours, [
    [2 * 24 + 6, 3 * 24],
    [32 * 24, 32 * 24 + 2],
  ]);
  assert.deepEqual(p.days, [3, 32]);
  assert.deepEqual(p.wholeHours, [2 * 24 + 6, 32 * 24 + 2]);
});
