import type { SqlDb } from '../sql.js';

export type SenderList = 'allow' | 'block';

export interface SpamPrefs {
  /** The user's own spam threshold; null follows spam.required_score. */
  requiredScore: number | null;
  allow: string[];
  block: string[];
}

/** Users' spam preferences: their threshold and their sender allow/block lists (address globs). */
export class SpamPrefsRepo {
  constructor(private readonly db: SqlDb) {}

  async get(accountId: number): Promise<SpamPrefs> {
    const p = await this.db.get<{ required_score: number | null }>(
      'SELECT required_score FROM spam_prefs WHERE account_id = ?',
      [accountId],
    );
    const lists = await this.db.all<{ list: SenderList; pattern: string }>(
      'SELECT list, pattern FROM spam_sender_lists WHERE account_id = ? ORDER BY pattern',
      [accountId],
    );
    return {
      requiredScore:
        p?.required_score === null || p?.required_score === undefined ? null : Number(p.required_score),
      allow: lists.filter((l) => l.list === 'allow').map((l) => l.pattern),
      block: lists.filter((l) => l.list === 'block').map((l) => l.pattern),
    };
  }

  async setRequiredScore(accountId: number, score: number | null): Promise<void> {
    await this.db.run(
      `INSERT INTO spam_prefs (account_id, required_score, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET required_score = excluded.required_score, updated_at = excluded.updated_at`,
      [accountId, score, Date.now()],
    );
  }

  async addToList(accountId: number, list: SenderList, pattern: string): Promise<void> {
    await this.db.run(
      'INSERT INTO spam_sender_lists (account_id, list, pattern) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      [accountId, list, pattern.toLowerCase()],
    );
  }

  async removeFromList(accountId: number, list: SenderList, pattern: string): Promise<boolean> {
    return (
      (
        await this.db.run('DELETE FROM spam_sender_lists WHERE account_id = ? AND list = ? AND pattern = ?', [
          accountId,
          list,
          pattern.toLowerCase(),
        ])
      ).changes > 0
    );
  }
}
