import type { SqlDb } from '../sql.js';

export type JunkSource = 'delivery' | 'user';

/**
 * What move training needs to remember: which messages (by learn id) sit in an account's Junk
 * folder and whether delivery or the user put them there, and how many messages each account
 * has had learned today (the daily limit).
 */
export class SpamTrainingRepo {
  constructor(private readonly db: SqlDb) {}

  async markJunk(accountId: number, msgId: string, source: JunkSource): Promise<void> {
    await this.db.run(
      `INSERT INTO spam_junk_ledger (account_id, msg_id, source, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, msg_id) DO UPDATE SET source = excluded.source, at = excluded.at`,
      [accountId, msgId, source, Date.now()],
    );
  }

  async junkSource(accountId: number, msgId: string): Promise<JunkSource | undefined> {
    const r = await this.db.get<{ source: JunkSource }>(
      'SELECT source FROM spam_junk_ledger WHERE account_id = ? AND msg_id = ?',
      [accountId, msgId],
    );
    return r?.source;
  }

  async unmarkJunk(accountId: number, msgId: string): Promise<void> {
    await this.db.run('DELETE FROM spam_junk_ledger WHERE account_id = ? AND msg_id = ?', [accountId, msgId]);
  }

  async learnedToday(accountId: number, day: string): Promise<number> {
    const r = await this.db.get<{ count: number }>(
      'SELECT count FROM spam_training_counts WHERE account_id = ? AND day = ?',
      [accountId, day],
    );
    return Number(r?.count ?? 0);
  }

  async countLearned(accountId: number, day: string, n: number): Promise<void> {
    await this.db.run(
      `INSERT INTO spam_training_counts (account_id, day, count) VALUES (?, ?, ?)
       ON CONFLICT (account_id, day) DO UPDATE SET count = spam_training_counts.count + excluded.count`,
      [accountId, day, n],
    );
  }

  /** Drops ledger entries and day counts older than `before` (ms). */
  async prune(before: number): Promise<void> {
    await this.db.run('DELETE FROM spam_junk_ledger WHERE at < ?', [before]);
    await this.db.run('DELETE FROM spam_training_counts WHERE day < ?', [
      new Date(before).toISOString().slice(0, 10),
    ]);
  }
}
