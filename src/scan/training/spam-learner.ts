// Learning a message into the Bayes database of its owner (the account, or the global one per
// spam.bayes_scope). The ledger in the store makes it idempotent, and learning a message as the
// other class moves it over.
import type { Config } from '../../config/config.js';
import type { BayesStore } from '../spam/bayes.js';
import { Bayes, bayesTokens, learnId } from '../spam/bayes.js';
import type { BayesClass } from '../spam/bayes.js';
import { prepareMessage } from '../spam/message.js';

export type LearnResult = 'learned' | 'relearned' | 'already';

export class SpamLearner {
  private readonly bayes: Bayes;

  constructor(
    private readonly config: Config,
    store: BayesStore,
  ) {
    this.bayes = new Bayes(store);
  }

  /** The Bayes database an account's mail is learned into and scored against. */
  owner(accountId: number | undefined): string {
    return accountId !== undefined && this.config.get<string>('spam.bayes_scope') === 'user'
      ? String(accountId)
      : '';
  }

  async learn(raw: Buffer, cls: BayesClass, accountId?: number): Promise<LearnResult> {
    const msg = prepareMessage(raw);
    const id = learnId(msg);
    const owner = this.owner(accountId);
    const before = await this.bayes.store.seen(owner, id);
    if (before === cls) return 'already';
    await this.bayes.learn(bayesTokens(msg), cls, id, owner);
    return before ? 'relearned' : 'learned';
  }
}
