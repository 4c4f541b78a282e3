import type { SqlDb } from '../sql.js';
import { SqlBayesStore } from './bayes-repo.js';
import { SpamPrefsRepo } from './prefs-repo.js';
import { QuarantineRepo } from './quarantine-repo.js';
import { SqlReputationStore } from './reputation-repo.js';
import { SpamTrainingRepo } from './training-repo.js';
import { SpamVerdictRepo } from './verdict-repo.js';

/** The repositories of content scanning over one database. */
export class SpamStore {
  readonly bayes: SqlBayesStore;
  readonly reputation: SqlReputationStore;
  readonly prefs: SpamPrefsRepo;
  readonly verdicts: SpamVerdictRepo;
  readonly training: SpamTrainingRepo;
  readonly quarantine: QuarantineRepo;

  constructor(db: SqlDb) {
    this.bayes = new SqlBayesStore(db);
    this.reputation = new SqlReputationStore(db);
    this.prefs = new SpamPrefsRepo(db);
    this.verdicts = new SpamVerdictRepo(db);
    this.training = new SpamTrainingRepo(db);
    this.quarantine = new QuarantineRepo(db);
  }
}
