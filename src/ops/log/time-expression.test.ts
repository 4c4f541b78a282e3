import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationPhrase, parseTimePoint, resolveRange } from './time-expression.js';

const H = 3_600_000;
const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);

test('periods in one unit, in the spellings operators type', () => {
  assert.equal(parseDurationPhrase('3 hours'), 3 * H);
  assert.equal(parseDurationPhrase('5 minutes'), 5 * 60_000);
  assert.equal(parseDurationPhrase('6 days'), 6 * 24 * H);
  assert.equal(parseDurationPhrase('1 hour'), H);
  assert.equal(parseDurationPhrase('an hour'), H);
  assert.equal(parseDurationPhrase('day'), 24 * H);
  assert.equal(parseDurationPhrase('2h'), 2 * H);
  assert.equal(parseDurationPhrase(' 90 Mins '), 90 * 60_000);
  assert.equal(parseDurationPhrase('1.5 hours'), 1.5 * H);
  assert.equal(parseDurationPhrase('2 weeks'), 14 * 24 * H);
});

test('mixed units are refused with the period in the smallest unit', () => {
  assert.throws(() => parseDurationPhrase('1 hour 5 minutes'), /mixes units.*"65 minutes"/);
  assert.throws(() => parseDurationPhrase('1 day and 2 hours'), /mixes units.*"26 hours"/);
  assert.throws(() => parseDurationPhrase('1h, 30s'), /mixes units.*"3630 seconds"/);
});

test('nonsense periods name the problem', () => {
  assert.throws(() => parseDurationPhrase('3 fortnights'), /unknown unit "fortnights"/);
  assert.throws(() => parseDurationPhrase(''), /not a period/);
  assert.throws(() => parseDurationPhrase('3'), /not a period/);
  assert.throws(() => parseDurationPhrase('0 hours'), /longer than zero/);
  assert.throws(() => parseDurationPhrase('3 hours!'), /not a period/);
});

test('moments: epoch seconds, ISO dates, relative phrases', () => {
  assert.equal(parseTimePoint('1714557600', NOW), 1714557600_000);
  assert.equal(parseTimePoint('2024-05-01T10:00:00Z', NOW), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseTimePoint('2024-05-01 10:00Z', NOW), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseTimePoint('2024-05-01', NOW), new Date(2024, 4, 1).getTime());
  assert.equal(parseTimePoint('2024-05-01T10:00', NOW), new Date(2024, 4, 1, 10).getTime());
  assert.equal(parseTimePoint('5 hours ago', NOW), NOW - 5 * H);
  assert.equal(parseTimePoint('now', NOW), NOW);
  assert.throws(() => parseTimePoint('yesterday-ish', NOW), /not a time/);
  assert.throws(() => parseTimePoint('1 hour 5 minutes ago', NOW), /mixes units/);
});

test('selectors resolve to half-open ranges', () => {
  assert.deepEqual(resolveRange({ last: '3 hours' }, NOW), { from: NOW - 3 * H, to: NOW });
  assert.deepEqual(resolveRange({}, NOW), { from: NOW - 24 * H, to: NOW });
  assert.deepEqual(resolveRange({ from: '5 hours ago' }, NOW), { from: NOW - 5 * H, to: NOW });
  assert.deepEqual(resolveRange({ from: '5 hours ago', to: '2 hours ago' }, NOW), {
    from: NOW - 5 * H,
    to: NOW - 2 * H,
  });
  assert.deepEqual(resolveRange({ to: '1714557600' }, NOW), { from: 0, to: 1714557600_000 });
  assert.throws(() => resolveRange({ last: '1 hour', from: 'now' }, NOW), /either --last or --from/);
  assert.throws(() => resolveRange({ from: '1 hour ago', to: '2 hours ago' }, NOW), /is not after/);
});
