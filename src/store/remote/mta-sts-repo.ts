import type { SchemaComponent } from '../migration.js';
import { ddl, type SqlDb } from '../sql.js';

/**
 * Remote delivery's own state: the MTA-STS policies of destination domains, kept across restarts
 * for their max_age (RFC 8461 §5), so a restart does not reopen the window in which an attacker
 * who blocks the policy lookup can strip TLS.
 */
export const remoteSchema: SchemaComponent = {
  name: 'remote',
  migrations: [
    {
      version: 1,
      name: 'MTA-STS policy cache',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE mta_sts_policies (
              domain TEXT PRIMARY KEY,
              policy_id TEXT NOT NULL,
              mode TEXT NOT NULL,
              mx TEXT NOT NULL,
              max_age {{bigint}} NOT NULL,
              fetched_at {{bigint}} NOT NULL,
              expires_at {{bigint}} NOT NULL
            );`,
          ),
        );
      },
    },
  ],
  async populate(db) {
    await db.run(
      "INSERT INTO mta_sts_policies (domain, policy_id, mode, mx, max_age, fetched_at, expires_at) VALUES ('example.com', '1', 'enforce', 'mx.example.com', 86400, 1, 86400001)",
    );
  },
};

/** A cached policy as stored: what the policy file said, under which TXT id, until when. */
export interface StoredStsPolicy {
  domain: string;
  id: string;
  mode: 'enforce' | 'testing' | 'none';
  mx: string[];
  maxAge: number;
  fetchedAt: number;
  expiresAt: number;
}

export class MtaStsRepo {
  constructor(private readonly db: SqlDb) {}

  async get(domain: string): Promise<StoredStsPolicy | undefined> {
    const r = await this.db.get<Record<string, unknown>>(
      `SELECT domain, policy_id AS "id", mode, mx, max_age AS "maxAge", fetched_at AS "fetchedAt", expires_at AS "expiresAt"
       FROM mta_sts_policies WHERE domain = ?`,
      [domain],
    );
    if (!r) return undefined;
    return {
      domain: String(r.domain),
      id: String(r.id),
      mode: r.mode as StoredStsPolicy['mode'],
      mx: String(r.mx).split(' ').filter(Boolean),
      maxAge: Number(r.maxAge),
      fetchedAt: Number(r.fetchedAt),
      expiresAt: Number(r.expiresAt),
    };
  }

  async put(p: StoredStsPolicy): Promise<void> {
    await this.db.run(
      `INSERT INTO mta_sts_policies (domain, policy_id, mode, mx, max_age, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, mode = excluded.mode, mx = excluded.mx,
         max_age = excluded.max_age, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
      [p.domain, p.id, p.mode, p.mx.join(' '), p.maxAge, p.fetchedAt, p.expiresAt],
    );
  }

  /** Removes the policy of `domain` if it expired by `now` (a newer one may have been stored meanwhile). */
  async dropExpired(domain: string, now: number): Promise<void> {
    await this.db.run('DELETE FROM mta_sts_policies WHERE domain = ? AND expires_at <= ?', [domain, now]);
  }
}
