import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bayes, MemoryBayesStore, bayesTokens, chiSquareCombine } from './bayes.js';
import { prepareMessage } from './message.js';

test('tokens: lowercased words, header prefixes, long tokens skipped to a short shape', () => {
  const m = prepareMessage(
    Buffer.from(
      'Subject: Cheap Pills\nFrom: a@b.example\n\nHello WORLD ' +
        'x'.repeat(40) +
        ' visit http://spam.example/a',
    ),
  );
  const t = bayesTokens(m);
  assert.ok(t.includes('hello') && t.includes('world'));
  assert.ok(t.includes('Hsubject:cheap'));
  assert.ok(t.includes('sk:xxxxxxx'));
  assert.ok(t.includes('U:spam.example'));
  assert.ok(!t.some((x) => x.length > 60));
});

test('chi-square combining is symmetric and bounded', () => {
  assert.equal(chiSquareCombine([]), 0.5);
  assert.ok(chiSquareCombine([0.99, 0.99, 0.98]) > 0.9);
  assert.ok(chiSquareCombine([0.01, 0.01, 0.02]) < 0.1);
});

test('no probability until bayes_min counts; learns once per id; relearning flips', async () => {
  const store = new MemoryBayesStore();
  const b = new Bayes(store, { minSpam: 2, minHam: 2 });
  assert.equal(await b.probability(['x']), undefined);
  assert.equal(await b.learn(['cash', 'prize'], 'spam', 'm1'), true);
  assert.equal(await b.learn(['cash', 'prize'], 'spam', 'm1'), false);
  assert.deepEqual(await store.totals(''), { spam: 1, ham: 0 });
  await b.learn(['cash', 'win'], 'spam', 'm2');
  await b.learn(['meeting', 'notes'], 'ham', 'm3');
  await b.learn(['meeting', 'agenda'], 'ham', 'm4');
  const p = await b.probability(['cash', 'prize', 'win']);
  assert.ok(p !== undefined && p > 0.9, String(p));
  assert.ok((await b.probability(['meeting', 'agenda']))! < 0.1);
  assert.equal(await b.learn(['cash', 'prize'], 'ham', 'm1'), true);
  assert.deepEqual(await store.totals(''), { spam: 1, ham: 3 });
  assert.deepEqual((await store.tokens('', ['prize'])).get('prize'), { spam: 0, ham: 1 });
});
