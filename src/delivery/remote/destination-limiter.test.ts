import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DestinationLimiter } from './destination-limiter.js';

/** Acquires for `dest` and records, in `log`, when the slot was granted. */
function want(l: DestinationLimiter, dest: string, log: string[], name: string): Promise<void> {
  return l.acquire(dest).then(() => void log.push(name));
}

const turn = () => new Promise((r) => setImmediate(r));

test('per destination: the window starts at the initial concurrency and grows by one per success up to the limit', async () => {
  const l = new DestinationLimiter(() => ({ total: 100, initial: 2, max: 3, deadMs: 1000 }));
  const log: string[] = [];
  for (const n of ['a1', 'a2', 'a3', 'a4', 'a5']) void want(l, 'a', log, n);
  await turn();
  assert.deepEqual(log, ['a1', 'a2']);
  // A success widens the window to 3: the freed slot and the new one go to the next two, in order.
  l.release('a', true);
  await turn();
  assert.deepEqual(log, ['a1', 'a2', 'a3', 'a4']);
  // At the limit (3) a success only hands its own slot on.
  l.release('a', true);
  await turn();
  assert.deepEqual(log, ['a1', 'a2', 'a3', 'a4', 'a5']);
});

test('a failure shrinks the window back to the initial concurrency', async () => {
  const l = new DestinationLimiter(() => ({ total: 100, initial: 1, max: 5, deadMs: 1000 }));
  const log: string[] = [];
  await want(l, 'a', log, 'a1');
  l.release('a', true); // window 2
  await want(l, 'a', log, 'a2');
  await want(l, 'a', log, 'a3');
  for (const n of ['a4', 'a5']) void want(l, 'a', log, n);
  l.release('a', false); // window 1, one still active: nobody may start
  await turn();
  assert.deepEqual(log, ['a1', 'a2', 'a3']);
  l.release('a', true); // none active, window 2
  await turn();
  assert.deepEqual(log, ['a1', 'a2', 'a3', 'a4', 'a5']);
});

test('the global limit: a slot freed by one destination goes to a waiter of another', async () => {
  const l = new DestinationLimiter(() => ({ total: 2, initial: 5, max: 5, deadMs: 1000 }));
  const log: string[] = [];
  void want(l, 'a', log, 'a1');
  void want(l, 'a', log, 'a2');
  void want(l, 'b', log, 'b1');
  void want(l, 'a', log, 'a3');
  await turn();
  assert.deepEqual(log, ['a1', 'a2']);
  // a's own waiter comes first for a's slot.
  l.release('a', true);
  await turn();
  assert.deepEqual(log, ['a1', 'a2', 'a3']);
  l.release('a', true);
  await turn();
  assert.deepEqual(log, ['a1', 'a2', 'a3', 'b1']);
});

test('a dead destination stays dead for deadMs and restarts at the initial window', () => {
  let now = 1000;
  const l = new DestinationLimiter(
    () => ({ total: 10, initial: 1, max: 5, deadMs: 500 }),
    () => now,
  );
  l.markDead('a');
  assert.equal(l.isDead('a'), true);
  assert.equal(l.isDead('b'), false);
  now = 1499;
  assert.equal(l.isDead('a'), true);
  now = 1500;
  assert.equal(l.isDead('a'), false);
});
