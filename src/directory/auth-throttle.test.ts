import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureThrottle, type ThrottleSettings } from './auth-throttle.js';

function setup(over: Partial<ThrottleSettings> = {}) {
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
  };
  const s: ThrottleSettings = { maxFailures: 3, window: 60_000, lockout: 1000, maxLockout: 5000, ...over };
  return { clock, t: new FailureThrottle(() => s, clock) };
}

test('locks out after maxFailures within the window', () => {
  const { clock, t } = setup();
  assert.equal(t.fail('k'), 0);
  assert.equal(t.fail('k'), 0);
  assert.equal(t.lockedFor('k'), 0);
  assert.equal(t.fail('k'), 1000);
  assert.equal(t.lockedFor('k'), 1000);
  clock.t += 400;
  assert.equal(t.lockedFor('k'), 600);
  clock.t += 600;
  assert.equal(t.lockedFor('k'), 0);
  assert.equal(t.lockedFor('other'), 0);
});

test('failures outside the window do not count', () => {
  const { clock, t } = setup();
  t.fail('k');
  t.fail('k');
  clock.t += 60_001;
  assert.equal(t.fail('k'), 0);
  assert.equal(t.fail('k'), 0);
  assert.equal(t.fail('k'), 1000);
});

test('each further lockout doubles, up to the maximum', () => {
  const { clock, t } = setup();
  const lengths: number[] = [];
  for (let i = 0; i < 5; i++) {
    t.fail('k');
    t.fail('k');
    lengths.push(t.fail('k'));
    clock.t += t.lockedFor('k');
  }
  assert.deepEqual(lengths, [1000, 2000, 4000, 5000, 5000]);
});

test('a success clears the back-off; a long quiet spell too', () => {
  const { clock, t } = setup();
  for (let i = 0; i < 3; i++) t.fail('k');
  clock.t += 1000;
  t.succeed('k');
  for (let i = 0; i < 2; i++) t.fail('k');
  assert.equal(t.fail('k'), 1000);
  clock.t += 60_001;
  for (let i = 0; i < 2; i++) t.fail('k');
  assert.equal(t.fail('k'), 1000, 'quiet longer than window and max lockout: back to the first length');
});
