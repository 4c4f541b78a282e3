import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryReputationStore, Reputation, reputationKey } from './reputation.js';

test('key is address plus /16', () => {
  assert.equal(reputationKey('A@B.example', '192.0.2.77'), 'a@b.example|192.0');
  assert.equal(reputationKey('a@b', undefined), 'a@b|none');
});

test('score is pulled halfway to the sender mean', async () => {
  const r = new Reputation(new MemoryReputationStore(), 0.5);
  assert.equal(await r.adjust('a@b', '10.1.2.3', 0), 0);
  assert.equal(await r.adjust('a@b', '10.1.9.9', 0), 0);
  assert.equal(await r.adjust('a@b', '10.1.0.1', 10), -5);
  assert.equal(await r.adjust('a@b', '172.16.0.1', 10), 0);
});
