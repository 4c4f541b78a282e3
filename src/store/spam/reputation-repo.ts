import type { ReputationEntry, ReputationStore } from '../../scan/spam/reputation.js';
import type { SqlDb } from '../sql.js';

/** Sender reputation (AWL) in SQL: message count and score total per sender key. */
export class SqlReputationStore implements ReputationStore {
  constructor(private readonly db: SqlDb) {}

  async get(key: string): Promise<ReputationEntry | undefined> {
    const r = await this.db.get<{ count: number; total: number }>(
      'SELECT count, total FROM spam_reputation WHERE sender_key = ?',
      [key],
    );
    return r && { count: Number(r.count), total: Number(r.total) };
  }

  async add(key: string, score: number): Promise<void> {
    await this.db.run(
      `INSERT INTO spam_reputation (sender_key, count, total, updated_at) VALUES (?, 1, ?, ?)
       ON CONFLICT (sender_key) DO UPDATE SET count = spam_reputation.count + 1, total = spam_reputation.total + excluded.total, updated_at = excluded.updated_at`,
      [key, score, Date.now()],
    );
  }

  /** Forgets senders not seen since `before` (ms); returns how many. */
  async prune(before: number): Promise<number> {
    return (await this.db.run('DELETE FROM spam_reputation WHERE updated_at < ?', [before])).changes;
  }
}
