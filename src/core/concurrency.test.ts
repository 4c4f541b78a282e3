import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concurrencyLimit } from './concurrency.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('no more than max tasks run at once, and every task runs in the order it came', async () => {
  const limit = concurrencyLimit(2);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const results = await Promise.all(
    Array.from({ length: 7 }, (_, i) =>
      limit(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await tick(5 + (i % 3) * 5);
        running--;
        return i * 10;
      }),
    ),
  );
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(results, [0, 10, 20, 30, 40, 50, 60]);
});

test('a task that throws passes the error on and frees its place', async () => {
  const limit = concurrencyLimit(1);
  const failing = limit(async () => {
    await tick(1);
    throw new Error('bad task');
  });
  const after = limit(async () => 'ran');
  await assert.rejects(failing, /bad task/);
  assert.equal(await after, 'ran');
  // the gate is free again: a new task starts at once
  let startedAt = -1;
  const t0 = performance.now();
  await limit(async () => {
    startedAt = performance.now() - t0;
  });
  assert.ok(startedAt < 50, `started after ${startedAt} ms`);
});
