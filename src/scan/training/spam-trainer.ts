// IMAP training as in InterWorx: every account has "Learn Spam" and "Learn Ham" folders whose
// contents are learned once a day (or on demand) up to a per-day limit, then expunged. Moving a
// message into Junk learns it as spam and out of Junk (except to Trash) as ham, from the
// mailbox's change notifications.
import type { Config } from '../../config/config.js';
import type { Account } from '../../directory/types.js';
import type { Logger } from '../../log/logger.js';
import type { MailboxChange } from '../../mailbox/events.js';
import type { MailboxService } from '../../mailbox/mailbox-service.js';
import { SYSTEM_ACTOR, type UidSet } from '../../mailbox/types.js';
import { toUidSet } from '../../mailbox/uid-set.js';
import type { SpamStore } from '../../store/spam/spam-store.js';
import { headerValue, parseHeaderBlock } from '../spam/mime.js';
import type { BayesClass } from '../spam/bayes.js';
import type { SpamLearner } from './spam-learner.js';

export const LEARN_SPAM = 'Learn Spam';
export const LEARN_HAM = 'Learn Ham';

/** Folders whose new arrivals say nothing about spam. */
const NEUTRAL_USES = new Set(['\\Trash', '\\Sent', '\\Drafts']);

export interface TrainerDeps {
  config: Config;
  log: Logger;
  mailbox: MailboxService;
  listAccounts(): Promise<Account[]>;
  store: SpamStore;
  learner: SpamLearner;
}

export interface TrainingRun {
  account: string;
  spam: number;
  ham: number;
  /** Left in the folders because of the daily limit. */
  deferred: number;
}

const today = () => new Date().toISOString().slice(0, 10);

function uidsOf(set: UidSet): number[] {
  const out: number[] = [];
  for (const [a, b] of set) for (let u = a; u <= b && out.length < 10_000; u++) out.push(u);
  return out;
}

/** The key under which move training remembers a message: its Message-ID header. */
function moveKey(raw: Buffer): { key?: string; taggedSpam: boolean } {
  const { headers } = parseHeaderBlock(raw.subarray(0, 64 * 1024).toString('latin1'), new Set(), true);
  return {
    key: headerValue(headers, 'message-id')?.trim() || undefined,
    taggedSpam: /^\s*yes/i.test(headerValue(headers, 'x-spam-flag') ?? ''),
  };
}

export class SpamTrainer {
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  /** Move events are handled one at a time, in order, off the writer's path. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TrainerDeps) {}

  start(): void {
    this.unsubscribe = this.deps.mailbox.subscribe('*', (c) => {
      if (c.kind === 'new' && c.uids && this.deps.config.get<boolean>('spam.train_on_move'))
        this.chain = this.chain
          .then(() => this.onNew(c))
          .catch((e: Error) => this.deps.log.warn({ event: 'spam_move_training_failed', err: e.message }));
    });
    this.timer = setInterval(
      () =>
        void this.runAll().catch((e: Error) =>
          this.deps.log.error({ event: 'spam_training_failed', err: e.message }),
        ),
      this.deps.config.get<number>('spam.training_interval'),
    );
    this.timer.unref();
  }

  /** Waits for queued move training (tests, shutdown). */
  async idle(): Promise<void> {
    await this.chain;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.timer);
    await this.idle();
  }

  /** The daily job: every account's training folders, then pruning of old verdicts and ledgers. */
  async runAll(): Promise<TrainingRun[]> {
    const out: TrainingRun[] = [];
    if (this.deps.config.get<boolean>('spam.training_folders'))
      for (const a of await this.deps.listAccounts()) out.push(await this.run(a));
    const before = Date.now() - this.deps.config.get<number>('spam.verdict_retention');
    await this.deps.store.verdicts.prune(before);
    await this.deps.store.training.prune(before);
    return out;
  }

  /** Makes the training folders of an account if missing. */
  async ensureFolders(accountId: number): Promise<void> {
    const actor = await this.deps.mailbox.actorFor(accountId);
    const have = new Set(
      (await this.deps.mailbox.folders.list(actor)).filter((f) => f.ownerId === accountId).map((f) => f.name),
    );
    for (const name of [LEARN_SPAM, LEARN_HAM])
      if (!have.has(name)) await this.deps.mailbox.folders.create(actor, name);
  }

  /** Learns and expunges one account's training folders, up to what is left of today's limit. */
  async run(account: Account): Promise<TrainingRun> {
    const { mailbox, store, log } = this.deps;
    await this.ensureFolders(account.id);
    const actor = await mailbox.actorFor(account.id);
    const res: TrainingRun = { account: account.address, spam: 0, ham: 0, deferred: 0 };
    for (const [folder, cls] of [
      [LEARN_SPAM, 'spam'],
      [LEARN_HAM, 'ham'],
    ] as const) {
      const snap = await mailbox.folders.select(actor, folder);
      const room = Math.max(
        0,
        this.deps.config.get<number>('spam.training_daily_limit') -
          (await store.training.learnedToday(account.id, today())),
      );
      const take = [...snap.uids].slice(0, room);
      res.deferred += snap.uids.length - take.length;
      for (const uid of take) {
        await this.deps.learner.learn(await mailbox.messages.read(actor, folder, uid), cls, account.id);
        res[cls]++;
      }
      if (take.length) {
        await store.training.countLearned(account.id, today(), take.length);
        const learned = toUidSet(take);
        await mailbox.messages.storeFlags(actor, folder, learned, { op: 'add', flags: ['\\Deleted'] });
        await mailbox.messages.expunge(actor, folder, learned);
      }
    }
    if (res.spam || res.ham || res.deferred)
      log.info({ event: 'spam_training', user: account.address, ...res });
    return res;
  }

  private async folderOf(c: MailboxChange): Promise<{ name: string; specialUse: string | null } | undefined> {
    const actor = await this.deps.mailbox.actorFor(c.ownerId);
    const f = await this.deps.mailbox.folders.resolve(actor, { id: c.folderId }, 'l').catch(() => undefined);
    return f && { name: f.name, specialUse: f.row.specialUse };
  }

  private async onNew(c: MailboxChange): Promise<void> {
    // A delivery anywhere but Junk was never in Junk: there is nothing to learn from it.
    if (c.delivered === 'elsewhere') return;
    const folder = await this.folderOf(c);
    if (
      !folder ||
      folder.name === LEARN_SPAM ||
      folder.name === LEARN_HAM ||
      NEUTRAL_USES.has(folder.specialUse ?? '')
    )
      return;
    const junk = folder.specialUse === '\\Junk';
    const { store, mailbox } = this.deps;
    for (const uid of uidsOf(c.uids!)) {
      const raw = await mailbox.messages.read(SYSTEM_ACTOR, { id: c.folderId }, uid);
      const { key, taggedSpam } = moveKey(raw);
      if (!key) continue;
      if (junk) {
        // Filed there by delivery as spam: nothing to learn, but remember it came from Junk.
        if (taggedSpam) await store.training.markJunk(c.ownerId, key, 'delivery');
        else if (await this.learnWithinLimit(raw, 'spam', c.ownerId))
          await store.training.markJunk(c.ownerId, key, 'user');
      } else if (await store.training.junkSource(c.ownerId, key)) {
        if (await this.learnWithinLimit(raw, 'ham', c.ownerId))
          await store.training.unmarkJunk(c.ownerId, key);
      }
    }
  }

  private async learnWithinLimit(raw: Buffer, cls: BayesClass, accountId: number): Promise<boolean> {
    const { store, config } = this.deps;
    if (
      (await store.training.learnedToday(accountId, today())) >=
      config.get<number>('spam.training_daily_limit')
    )
      return false;
    await this.deps.learner.learn(raw, cls, accountId);
    await store.training.countLearned(accountId, today(), 1);
    this.deps.log.info({ event: 'spam_move_learned', accountId, class: cls });
    return true;
  }
}
