import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBayesStore } from './bayes.js';
import { MemoryReputationStore } from './reputation.js';
import { SpamScanner } from './scanner.js';

const RULES = [
  {
    file: 't.cf',
    text: 'body EVIL /(a+)+$/\nbody FREE /free/i\nscore FREE 2\nuse_auto_whitelist 1\nbayes_min_spam_num 1\nbayes_min_ham_num 1',
  },
];

test('scans in workers; a runaway rule is stopped, blamed and disabled; the loop keeps ticking', async () => {
  const scanner = new SpamScanner({
    rules: RULES,
    poolSize: 2,
    timeoutMs: 1000,
    bayesStore: new MemoryBayesStore(),
  });
  try {
    await scanner.ready();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    const heavy = scanner.scan(Buffer.from(`Subject: free\n\n${'a'.repeat(40)}!`));
    const light = scanner.scan(Buffer.from('Subject: hello\n\nfree offer'));
    const [h, l] = await Promise.all([heavy, light]);
    clearInterval(timer);
    assert.deepEqual(h.timedOutRules, ['EVIL']);
    assert.deepEqual(
      h.hits.map((x) => x.name),
      ['FREE'],
    );
    assert.equal(l.score, 2);
    assert.ok(ticks >= 10, `event loop ticked ${ticks} times`);
    assert.deepEqual(scanner.timedOutRules, ['EVIL']);
    const again = await scanner.scan(Buffer.from(`Subject: x\n\n${'a'.repeat(40)}!`));
    assert.equal(again.timedOutRules, undefined);
  } finally {
    await scanner.close();
  }
});

test('reputation store is reached from the workers', async () => {
  const reputationStore = new MemoryReputationStore();
  const scanner = new SpamScanner({ rules: RULES, poolSize: 1, reputationStore });
  try {
    const m = Buffer.from('From: x@y.example\nSubject: free\n\nhi');
    assert.equal((await scanner.scan(m, { env: { ip: '192.0.2.1' } })).score, 2);
    const ham = Buffer.from('From: x@y.example\nSubject: hi\n\nhi');
    const r = await scanner.scan(ham, { env: { ip: '192.0.2.9' } });
    assert.deepEqual(
      r.hits.map((h) => [h.name, h.score]),
      [['AWL', 1]],
    );
    assert.deepEqual(await reputationStore.get('x@y.example|192.0'), { count: 2, total: 2 });
  } finally {
    await scanner.close();
  }
});
