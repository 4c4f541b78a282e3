import type { BayesClass, BayesStore, TokenCounts } from '../../scan/spam/bayes.js';
import type { SqlDb, SqlValue } from '../sql.js';

const BATCH = 500;

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/**
 * Bayes token counts in SQL. `user` is the database owner: '' for the global database, an
 * account id otherwise. A learn or unlearn is one transaction, so totals, tokens and the
 * ledger of learned ids never disagree.
 */
export class SqlBayesStore implements BayesStore {
  constructor(private readonly db: SqlDb) {}

  async totals(user: string): Promise<TokenCounts> {
    const r = await this.db.get<{ spam: number; ham: number }>(
      'SELECT spam, ham FROM spam_bayes_totals WHERE owner = ?',
      [user],
    );
    return { spam: Number(r?.spam ?? 0), ham: Number(r?.ham ?? 0) };
  }

  async tokens(user: string, tokens: string[]): Promise<Map<string, TokenCounts>> {
    const out = new Map<string, TokenCounts>();
    for (const b of batches(tokens)) {
      const rows = await this.db.all<{ token: string; spam: number; ham: number }>(
        `SELECT token, spam, ham FROM spam_bayes_tokens WHERE owner = ? AND token IN (${b.map(() => '?').join(',')})`,
        [user, ...b],
      );
      for (const r of rows) out.set(r.token, { spam: Number(r.spam), ham: Number(r.ham) });
    }
    return out;
  }

  async seen(user: string, msgId: string): Promise<BayesClass | undefined> {
    const r = await this.db.get<{ class: BayesClass }>(
      'SELECT class FROM spam_bayes_learned WHERE owner = ? AND msg_id = ?',
      [user, msgId],
    );
    return r?.class;
  }

  async apply(user: string, msgId: string, cls: BayesClass, tokens: string[], delta: 1 | -1): Promise<void> {
    const max = this.db.dialect === 'postgres' ? 'GREATEST' : 'MAX';
    const col = cls === 'spam' ? 'spam' : 'ham';
    await this.db.tx(async (t) => {
      await t.run('INSERT INTO spam_bayes_totals (owner) VALUES (?) ON CONFLICT (owner) DO NOTHING', [user]);
      await t.run(`UPDATE spam_bayes_totals SET ${col} = ${max}(0, ${col} + ?) WHERE owner = ?`, [
        delta,
        user,
      ]);
      for (const b of batches(tokens)) {
        const list = b.map(() => '?').join(',');
        if (delta > 0) {
          const params: SqlValue[] = [];
          for (const tok of b) params.push(user, tok);
          await t.run(
            `INSERT INTO spam_bayes_tokens (owner, token, ${col}) VALUES ${b.map(() => '(?, ?, 1)').join(',')}
             ON CONFLICT (owner, token) DO UPDATE SET ${col} = spam_bayes_tokens.${col} + 1`,
            params,
          );
        } else {
          await t.run(
            `UPDATE spam_bayes_tokens SET ${col} = ${max}(0, ${col} - 1) WHERE owner = ? AND token IN (${list})`,
            [user, ...b],
          );
          await t.run(
            `DELETE FROM spam_bayes_tokens WHERE owner = ? AND token IN (${list}) AND spam = 0 AND ham = 0`,
            [user, ...b],
          );
        }
      }
      if (delta < 0)
        await t.run('DELETE FROM spam_bayes_learned WHERE owner = ? AND msg_id = ?', [user, msgId]);
      else
        await t.run(
          `INSERT INTO spam_bayes_learned (owner, msg_id, class, learned_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (owner, msg_id) DO UPDATE SET class = excluded.class, learned_at = excluded.learned_at`,
          [user, msgId, cls, Date.now()],
        );
    });
  }

  /** Learned counts per owner, for `mailstead spam status`. */
  async summary(): Promise<{ owner: string; spam: number; ham: number; tokens: number }[]> {
    const rows = await this.db.all<{ owner: string; spam: number; ham: number; tokens: number }>(
      `SELECT t.owner, t.spam, t.ham, (SELECT COUNT(*) FROM spam_bayes_tokens k WHERE k.owner = t.owner) AS tokens
       FROM spam_bayes_totals t ORDER BY t.owner`,
    );
    return rows.map((r) => ({
      owner: r.owner,
      spam: Number(r.spam),
      ham: Number(r.ham),
      tokens: Number(r.tokens),
    }));
  }
}
