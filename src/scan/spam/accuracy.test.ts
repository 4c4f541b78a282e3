// Detection on the SpamAssassin public corpus: Bayes trained on one half, measured on the other,
// alone and together with the stock rules. Sizes keep it well under a minute.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Bayes, MemoryBayesStore, bayesTokens, learnId } from './bayes.js';
import { STOCK_RULES_DIR } from './cli.js';
import { loadRuleset } from './cf-parser.js';
import { loadCorpus, pick } from './corpus-fixture.js';
import { SpamEngine } from './engine.js';
import { SpamFilter } from './filter.js';
import { prepareMessage } from './message.js';

const { train, test: held } = loadCorpus();

async function trained(): Promise<MemoryBayesStore> {
  const store = new MemoryBayesStore();
  const bayes = new Bayes(store);
  for (const m of pick(train, 300)) {
    const p = prepareMessage(m.raw);
    await bayes.learn(bayesTokens(p), m.spam ? 'spam' : 'ham', learnId(p) + m.id);
  }
  return store;
}

test('Bayes alone: spam scores high, ham low', async () => {
  const bayes = new Bayes(await trained());
  const sample = pick(held, 150);
  let spamHigh = 0;
  let hamHigh = 0;
  for (const m of sample) {
    const p = (await bayes.probability(bayesTokens(prepareMessage(m.raw))))!;
    if (p >= 0.8) {
      if (m.spam) spamHigh++;
      else hamHigh++;
    }
  }
  const spam = sample.filter((m) => m.spam).length;
  console.log(
    `bayes alone: spam >= 0.8: ${spamHigh}/${spam}, ham >= 0.8: ${hamHigh}/${sample.length - spam}`,
  );
  // measured: 126/150 spam, 0/150 ham
  assert.ok(spamHigh / spam >= 0.8, `spam detected ${spamHigh}/${spam}`);
  assert.ok(hamHigh / (sample.length - spam) <= 0.02, `ham flagged ${hamHigh}`);
});

test(
  'stock rules with Bayes',
  { skip: !existsSync(STOCK_RULES_DIR) && 'stock rules not installed' },
  async () => {
    const filter = new SpamFilter(new SpamEngine(loadRuleset([STOCK_RULES_DIR])), { bayes: await trained() });
    // auto-learn would change the database between messages; measure a fixed model
    filter.engine.ruleset.settings.bayesAutoLearn = false;
    const sample = pick(held, 60);
    let caught = 0;
    let flagged = 0;
    for (const m of sample) {
      const r = await filter.check(m.raw);
      if (r.isSpam) {
        if (m.spam) caught++;
        else flagged++;
      }
    }
    const spam = sample.filter((m) => m.spam).length;
    console.log(
      `rules + bayes: spam caught ${caught}/${spam}, ham flagged ${flagged}/${sample.length - spam}`,
    );
    // measured: 53/60 spam caught, 2/60 ham flagged
    assert.ok(caught / spam >= 0.83, `spam caught ${caught}/${spam}`);
    assert.ok(flagged / (sample.length - spam) <= 0.05, `ham flagged ${flagged}`);
  },
);
