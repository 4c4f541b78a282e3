import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Bayes } from '../../src/scan/spam/bayes.js';
import { SpamStore } from '../../src/store/spam/spam-store.js';
import { forEachBackend } from '../store/backends.js';

forEachBackend('spam store', (backend) => {
  it('keeps Bayes counts per owner, learns a message once and flips it on relearning', async () => {
    const store = new SpamStore(await backend.db());
    const bayes = new Bayes(store.bayes, { minSpam: 1, minHam: 1 });
    assert.equal(await bayes.learn(['cheap', 'pills', 'now'], 'spam', '<1@x>', '7'), true);
    assert.equal(
      await bayes.learn(['cheap', 'pills', 'now'], 'spam', '<1@x>', '7'),
      false,
      'the same message is never learned twice',
    );
    await bayes.learn(['lunch', 'at', 'noon'], 'ham', '<2@x>', '7');
    assert.deepEqual(await store.bayes.totals('7'), { spam: 1, ham: 1 });
    assert.deepEqual(await store.bayes.totals(''), { spam: 0, ham: 0 }, 'the global database is separate');
    assert.deepEqual(
      await store.bayes.tokens('7', ['pills', 'noon', 'absent']),
      new Map([
        ['pills', { spam: 1, ham: 0 }],
        ['noon', { spam: 0, ham: 1 }],
      ]),
    );

    assert.equal(await bayes.learn(['cheap', 'pills', 'now'], 'ham', '<1@x>', '7'), true);
    assert.deepEqual(await store.bayes.totals('7'), { spam: 0, ham: 2 });
    assert.deepEqual((await store.bayes.tokens('7', ['pills'])).get('pills'), { spam: 0, ham: 1 });
    assert.equal(await store.bayes.seen('7', '<1@x>'), 'ham');
    await bayes.learn(['cheap', 'watches'], 'spam', '<3@x>', '7');
    assert.ok((await bayes.probability(['cheap', 'watches'], '7'))! > 0.5, 'Bayes scores from the SQL store');

    await bayes.forget(['lunch', 'at', 'noon'], '<2@x>', '7');
    assert.equal(await store.bayes.seen('7', '<2@x>'), undefined);
    assert.equal((await store.bayes.tokens('7', ['noon'])).size, 0, 'tokens at zero are removed');
  });

  it('learns a large token set in batches', async () => {
    const store = new SpamStore(await backend.db());
    const tokens = Array.from({ length: 2500 }, (_, i) => `tok${i}`);
    await store.bayes.apply('', '<big@x>', 'spam', tokens, 1);
    assert.equal((await store.bayes.tokens('', tokens)).size, 2500);
  });

  it('keeps reputation, preferences, verdicts, the Junk ledger and daily counts', async () => {
    const store = new SpamStore(await backend.db());
    await store.reputation.add('a@b.test|10.0', 4.5);
    await store.reputation.add('a@b.test|10.0', 1.5);
    assert.deepEqual(await store.reputation.get('a@b.test|10.0'), { count: 2, total: 6 });

    await store.prefs.setRequiredScore(3, 4.5);
    await store.prefs.addToList(3, 'allow', '*@Friends.example');
    await store.prefs.addToList(3, 'block', 'spam@*');
    assert.deepEqual(await store.prefs.get(3), {
      requiredScore: 4.5,
      allow: ['*@friends.example'],
      block: ['spam@*'],
    });
    await store.prefs.setRequiredScore(3, null);
    assert.equal((await store.prefs.get(3)).requiredScore, null);

    const hits = [{ name: 'GTUBE', score: 1000, description: 'Generic Test for Unsolicited Bulk Email' }];
    await store.verdicts.record({
      queueId: 'Q1',
      messageId: '<m@x>',
      from: 'a@b.test',
      score: 1000,
      required: 5,
      action: 'reject',
      hits,
      virus: 'clean',
      createdAt: 1000,
    });
    assert.deepEqual((await store.verdicts.get('Q1'))?.hits, hits);
    assert.equal((await store.verdicts.get('Q1'))?.virus, 'clean');
    assert.equal(await store.verdicts.prune(2000), 1);

    await store.training.markJunk(3, '<m@x>', 'delivery');
    assert.equal(await store.training.junkSource(3, '<m@x>'), 'delivery');
    await store.training.countLearned(3, '2030-01-02', 2);
    await store.training.countLearned(3, '2030-01-02', 3);
    assert.equal(await store.training.learnedToday(3, '2030-01-02'), 5);
  });
});
