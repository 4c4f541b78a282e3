import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.js';

test('concurrent submissions share commits; a failing item fails alone', async () => {
  const batches: number[][] = [];
  const gc = new GroupCommit<number>(
    async (items) => {
      if (items.includes(13)) throw new Error('bad item');
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
    },
    { maxBatch: () => 4, delayMs: () => 0 },
  );
  const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => gc.submit(i + 8)));
  assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
  assert.equal((results[5] as PromiseRejectedResult).reason.message, 'bad item');
  assert.ok(batches.length < 10, `batched: ${JSON.stringify(batches)}`);
  assert.ok(batches.every((b) => b.length <= 4));
  assert.deepEqual(
    batches.flat().sort((a, b) => a - b),
    [8, 9, 10, 11, 12, 14, 15, 16, 17],
  );
});

test('each caller gets its own item result, and an Error result fails that item only', async () => {
  const gc = new GroupCommit<number, string>(
    async (items) => items.map((i) => (i % 3 === 0 ? new Error(`no ${i}`) : `ok ${i}`)),
    { maxBatch: () => 100, delayMs: () => 0 },
  );
  const results = await Promise.allSettled([1, 2, 3, 4].map((i) => gc.submit(i)));
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    ['ok 1', 'ok 2', 'no 3', 'ok 4'],
  );
});
