// Content scanning as the app holds it: the SMTP-time scanner, Junk filing for local delivery,
// learning and training folders. `start` (server only) spawns the rule workers and the trainer;
// CLI commands use the same object without starting anything.
import type { Config } from '../config/config.js';
import type { Directory } from '../directory/directory.js';
import type { Logger } from '../log/logger.js';
import type { MailboxService } from '../mailbox/mailbox-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { SqlDb } from '../store/sql.js';
import { SpamStore } from '../store/spam/spam-store.js';
import { ScanCountRepo } from '../store/spam/scan-count-repo.js';
import { ScanCounts } from './scan-counts.js';
import { ContentScanner } from './content-scan.js';
import { JunkFiling } from './junk-filing.js';
import { SpamCheck } from './spam-check.js';
import { SpamLearner } from './training/spam-learner.js';
import { SpamTrainer } from './training/spam-trainer.js';
import { VirusCheck } from './virus/virus-check.js';

export interface ScanServiceDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  db: SqlDb;
  blobs: BlobStore;
  directory: Directory;
  mailbox: MailboxService;
}

export class ScanService {
  readonly store: SpamStore;
  /** Scan results per hour, for the dashboard. */
  readonly counts: ScanCounts;
  readonly virus: VirusCheck;
  readonly spam: SpamCheck;
  readonly content: ContentScanner;
  readonly junk: JunkFiling;
  readonly learner: SpamLearner;
  readonly trainer: SpamTrainer;
  private started = false;

  constructor(deps: ScanServiceDeps) {
    const { config, log, metrics, blobs, directory, mailbox } = deps;
    this.store = new SpamStore(deps.db);
    this.counts = new ScanCounts(new ScanCountRepo(deps.db), log);
    const counts = this.counts;
    this.virus = new VirusCheck({ config, log, metrics, blobs, quarantine: this.store.quarantine, counts });
    this.spam = new SpamCheck({
      config,
      log,
      metrics,
      blobs,
      store: this.store,
      counts,
      accountOf: async (address) => {
        const r = await directory.resolveRecipient(address);
        return r.kind === 'account' ? r.account.id : undefined;
      },
    });
    this.content = new ContentScanner(this.virus, this.spam);
    this.junk = new JunkFiling(config, this.store, mailbox);
    this.learner = new SpamLearner(config, this.store.bayes);
    this.trainer = new SpamTrainer({
      config,
      log,
      mailbox,
      store: this.store,
      learner: this.learner,
      listAccounts: () => directory.listAccounts(),
    });
  }

  /** Server start: rule workers compile in the background; listeners do not wait for them. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.spam.start();
    this.trainer.start();
    this.counts.start();
  }

  async close(): Promise<void> {
    await this.trainer.close();
    await this.spam.close();
    await this.counts.close();
  }
}
