import { readChangeVersion } from '../change-version.js';
import type { SqlDb } from '../sql.js';
import { SIEVE_VERSION } from './schema.js';

export interface SieveScriptRow {
  name: string;
  content: string;
  active: boolean;
  updatedAt: number;
}

export type GlobalPosition = 'before' | 'after';

export interface GlobalScriptRow {
  scope: string;
  position: GlobalPosition;
  content: string;
}

/** The Sieve tables; every statement runs unchanged on SQLite and PostgreSQL. */
export class SieveRepo {
  constructor(readonly db: SqlDb) {}

  /** Changes with every write to the scripts, the global ones included (see store/change-version.ts). */
  version(): Promise<number> {
    return readChangeVersion(this.db, SIEVE_VERSION);
  }

  async list(accountId: number): Promise<SieveScriptRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT name, content, active, updated_at FROM sieve_scripts WHERE account_id = ? ORDER BY name',
      [accountId],
    );
    return rows.map(scriptRow);
  }

  async get(accountId: number, name: string): Promise<SieveScriptRow | undefined> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT name, content, active, updated_at FROM sieve_scripts WHERE account_id = ? AND name = ?',
      [accountId, name],
    );
    return r ? scriptRow(r) : undefined;
  }

  async active(accountId: number): Promise<SieveScriptRow | undefined> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT name, content, active, updated_at FROM sieve_scripts WHERE account_id = ? AND active = 1',
      [accountId],
    );
    return r ? scriptRow(r) : undefined;
  }

  async put(accountId: number, name: string, content: string, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO sieve_scripts (account_id, name, content, active, updated_at) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT (account_id, name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`,
      [accountId, name, content, now],
    );
  }

  /** Makes `name` the one active script, or none when null; false when there is no such script. */
  async setActive(accountId: number, name: string | null): Promise<boolean> {
    return this.db.tx(async (t) => {
      if (
        name !== null &&
        !(await t.get('SELECT 1 AS x FROM sieve_scripts WHERE account_id = ? AND name = ?', [
          accountId,
          name,
        ]))
      )
        return false;
      await t.run('UPDATE sieve_scripts SET active = 0 WHERE account_id = ? AND active = 1', [accountId]);
      if (name !== null)
        await t.run('UPDATE sieve_scripts SET active = 1 WHERE account_id = ? AND name = ?', [
          accountId,
          name,
        ]);
      return true;
    });
  }

  async rename(accountId: number, from: string, to: string): Promise<boolean> {
    const r = await this.db.run('UPDATE sieve_scripts SET name = ? WHERE account_id = ? AND name = ?', [
      to,
      accountId,
      from,
    ]);
    return r.changes > 0;
  }

  async remove(accountId: number, name: string): Promise<boolean> {
    const r = await this.db.run('DELETE FROM sieve_scripts WHERE account_id = ? AND name = ?', [
      accountId,
      name,
    ]);
    return r.changes > 0;
  }

  async globalScript(scope: string, position: GlobalPosition): Promise<string | undefined> {
    const r = await this.db.get<{ content: string }>(
      'SELECT content FROM sieve_global_scripts WHERE scope = ? AND position = ?',
      [scope, position],
    );
    return r?.content;
  }

  /** The global scripts of the server ('') and of `domain`, in one query since every delivery asks. */
  async globalScripts(domain: string): Promise<GlobalScriptRow[]> {
    return this.db.all('SELECT scope, position, content FROM sieve_global_scripts WHERE scope IN (?, ?)', [
      '',
      domain,
    ]);
  }

  async listGlobal(): Promise<
    { scope: string; position: GlobalPosition; size: number; updatedAt: number }[]
  > {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT scope, position, content, updated_at FROM sieve_global_scripts ORDER BY scope, position',
    );
    return rows.map((r) => ({
      scope: String(r.scope),
      position: r.position as GlobalPosition,
      size: Buffer.byteLength(String(r.content)),
      updatedAt: Number(r.updated_at),
    }));
  }

  async putGlobal(scope: string, position: GlobalPosition, content: string, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO sieve_global_scripts (scope, position, content, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope, position) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`,
      [scope, position, content, now],
    );
  }

  async removeGlobal(scope: string, position: GlobalPosition): Promise<boolean> {
    return (
      (
        await this.db.run('DELETE FROM sieve_global_scripts WHERE scope = ? AND position = ?', [
          scope,
          position,
        ])
      ).changes > 0
    );
  }

  async ruleModel(accountId: number): Promise<string | undefined> {
    return (
      await this.db.get<{ model: string }>('SELECT model FROM sieve_rule_models WHERE account_id = ?', [
        accountId,
      ])
    )?.model;
  }

  /** Stores the model and the script generated from it together, so neither is seen without the other. */
  async putRuleModel(
    accountId: number,
    model: string,
    scriptName: string,
    script: string,
    now: number,
  ): Promise<void> {
    await this.db.tx(async (t) => {
      await t.run(
        `INSERT INTO sieve_rule_models (account_id, model, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET model = excluded.model, updated_at = excluded.updated_at`,
        [accountId, model, now],
      );
      await new SieveRepo(t).put(accountId, scriptName, script, now);
      await t.run('UPDATE sieve_scripts SET active = 0 WHERE account_id = ? AND active = 1', [accountId]);
      await t.run('UPDATE sieve_scripts SET active = 1 WHERE account_id = ? AND name = ?', [
        accountId,
        scriptName,
      ]);
    });
  }

  /** When each vacation handle last replied to `sender` (ms). */
  async vacationReplies(accountId: number, sender: string): Promise<Map<string, number>> {
    const rows = await this.db.all<{ handle: string; replied_at: unknown }>(
      'SELECT handle, replied_at FROM sieve_vacation_replies WHERE account_id = ? AND sender = ?',
      [accountId, sender],
    );
    return new Map(rows.map((r) => [r.handle, Number(r.replied_at)]));
  }

  async recordVacationReply(accountId: number, sender: string, handle: string, at: number): Promise<void> {
    await this.db.run(
      `INSERT INTO sieve_vacation_replies (account_id, sender, handle, replied_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, sender, handle) DO UPDATE SET replied_at = excluded.replied_at`,
      [accountId, sender, handle, at],
    );
  }

  /** Duplicate ids still remembered for the account: id → first and last sighting (ms). */
  async duplicates(accountId: number, now: number): Promise<Map<string, { first: number; last: number }>> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT dup_id, first_seen, last_seen FROM sieve_duplicates WHERE account_id = ? AND expires_at > ?',
      [accountId, now],
    );
    return new Map(
      rows.map((r) => [String(r.dup_id), { first: Number(r.first_seen), last: Number(r.last_seen) }]),
    );
  }

  async recordDuplicate(
    accountId: number,
    id: string,
    seen: { first: number; last: number },
    expiresAt: number,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO sieve_duplicates (account_id, dup_id, first_seen, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, dup_id) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, expires_at = excluded.expires_at`,
      [accountId, id, seen.first, seen.last, expiresAt],
    );
  }

  /** Forgets vacation replies and duplicate ids older than `before` (ms). */
  async prune(before: number): Promise<number> {
    const a = await this.db.run('DELETE FROM sieve_vacation_replies WHERE replied_at < ?', [before]);
    const b = await this.db.run('DELETE FROM sieve_duplicates WHERE expires_at < ?', [before]);
    return a.changes + b.changes;
  }
}

function scriptRow(r: Record<string, unknown>): SieveScriptRow {
  return {
    name: String(r.name),
    content: String(r.content),
    active: Number(r.active) === 1,
    updatedAt: Number(r.updated_at),
  };
}
