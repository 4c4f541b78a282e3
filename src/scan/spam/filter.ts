// One message through the whole pipeline: rules, Bayes (with auto-learn) and sender reputation.
import { Bayes, bayesTokens, learnId } from './bayes.js';
import type { BayesStore } from './bayes.js';
import { SpamEngine } from './engine.js';
import type { SpamResult } from './engine.js';
import { firstAddress, headerForRule } from './header-access.js';
import type { Envelope } from './header-access.js';
import { prepareMessage } from './message.js';
import { Reputation } from './reputation.js';
import type { ReputationStore } from './reputation.js';

export interface CheckOptions {
  env?: Envelope;
  /** Bayes database owner; '' (default) is the global database */
  user?: string;
  progress?: Int32Array;
}

export interface FilterStores {
  bayes?: BayesStore;
  reputation?: ReputationStore;
}

export class SpamFilter {
  readonly bayes?: Bayes;
  readonly reputation?: Reputation;

  constructor(
    readonly engine: SpamEngine,
    stores: FilterStores = {},
  ) {
    const s = engine.ruleset.settings;
    if (stores.bayes && s.useBayes)
      this.bayes = new Bayes(stores.bayes, { minSpam: s.bayesMinSpamNum, minHam: s.bayesMinHamNum });
    if (stores.reputation && s.useAwl) this.reputation = new Reputation(stores.reputation, s.awlFactor);
  }

  async check(raw: Buffer, opts: CheckOptions = {}): Promise<SpamResult> {
    const s = this.engine.ruleset.settings;
    const msg = prepareMessage(raw, {
      bodyPartScanSize: s.bodyPartScanSize,
      rawbodyPartScanSize: s.rawbodyPartScanSize,
    });
    const user = opts.user ?? '';
    const tokens = this.bayes ? bayesTokens(msg, s.bayesIgnoreHeaders) : [];
    const prob = this.bayes ? await this.bayes.probability(tokens, user) : undefined;
    const result = this.engine.scan(msg, { env: opts.env, bayes: prob, progress: opts.progress });
    if (this.reputation) {
      const from = firstAddress(headerForRule(msg, { name: 'From', mods: [] }) ?? '');
      if (from) {
        const delta = await this.reputation.adjust(from, opts.env?.ip, result.score);
        if (delta !== 0) {
          result.hits.push({
            name: 'AWL',
            score: delta,
            description: 'Adjusted score from AWL reputation of From: address',
          });
          result.score = Math.round((result.score + delta) * 1000) / 1000;
          result.isSpam = result.score >= result.required;
        }
      }
    }
    if (!this.bayes) result.autolearn = 'disabled';
    else if (result.autolearn === 'spam' || result.autolearn === 'ham') {
      const changed = await this.bayes.learn(tokens, result.autolearn, learnId(msg), user);
      if (!changed) result.autolearn = 'no';
    }
    return result;
  }
}
