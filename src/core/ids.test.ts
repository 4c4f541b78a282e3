import assert from 'node:assert/strict';
import { it } from 'node:test';
import { idTime, newId } from './ids.js';

it('makes distinct ids that carry their millisecond, across refills of the random pool', () => {
  const at = Date.UTC(2026, 10, 26, 12, 0, 0);
  const ids = new Set<string>();
  for (let i = 0; i < 5_000; i++) {
    const id = newId(at);
    assert.match(id, /^[0-9BCDFGHJKLMNPQRSTVWXZ]{15}$/);
    assert.equal(idTime(id), at);
    ids.add(id);
  }
  // 30^6 tails within one millisecond: about 0.02 repeats expected among 5,000 (birthday bound).
  assert.ok(ids.size >= 4_998, `${ids.size} distinct`);
});

it('sorts ids of later milliseconds after earlier ones', () => {
  const a = newId(1_000_000);
  const b = newId(1_000_001);
  assert.ok(a < b);
  assert.equal(idTime('not-an-id'), undefined);
});
