import type { SchemaComponent } from '../migration.js';
import { ddl, type SqlDb } from '../sql.js';

export const dkimSchema: SchemaComponent = {
  name: 'dkim',
  migrations: [
    {
      version: 1,
      name: 'DKIM signing keys per domain and selector',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE dkim_keys (
              id {{id}},
              domain TEXT NOT NULL,
              selector TEXT NOT NULL,
              algorithm TEXT NOT NULL,
              private_key TEXT NOT NULL,
              public_key TEXT NOT NULL,
              active INTEGER NOT NULL,
              created_at {{bigint}} NOT NULL,
              UNIQUE (domain, selector)
            );`,
          ),
        );
      },
    },
  ],
};

export interface DkimKeyRow {
  id: number;
  domain: string;
  selector: string;
  algorithm: 'rsa' | 'ed25519';
  privateKey: string;
  publicKey: string;
  active: boolean;
  createdAt: number;
}

const COLUMNS =
  'id, domain, selector, algorithm, private_key AS "privateKey", public_key AS "publicKey", active, created_at AS "createdAt"';

function row(r: Record<string, unknown>): DkimKeyRow {
  return {
    ...(r as unknown as DkimKeyRow),
    id: Number(r.id),
    active: Number(r.active) === 1,
    createdAt: Number(r.createdAt),
  };
}

export class DkimRepo {
  constructor(private readonly db: SqlDb) {}

  /** Stores a key; when `activate`, it becomes the one that signs and the others only stay published. */
  async add(key: Omit<DkimKeyRow, 'id' | 'active'>, activate: boolean): Promise<void> {
    await this.db.tx(async (t) => {
      if (activate) await t.run('UPDATE dkim_keys SET active = 0 WHERE domain = ?', [key.domain]);
      await t.run(
        'INSERT INTO dkim_keys (domain, selector, algorithm, private_key, public_key, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          key.domain,
          key.selector,
          key.algorithm,
          key.privateKey,
          key.publicKey,
          activate ? 1 : 0,
          key.createdAt,
        ],
      );
    });
  }

  async list(domain?: string): Promise<DkimKeyRow[]> {
    const rows = domain
      ? await this.db.all(`SELECT ${COLUMNS} FROM dkim_keys WHERE domain = ? ORDER BY created_at, id`, [
          domain,
        ])
      : await this.db.all(`SELECT ${COLUMNS} FROM dkim_keys ORDER BY domain, created_at, id`);
    return rows.map(row);
  }

  async active(domain: string): Promise<DkimKeyRow | undefined> {
    const r = await this.db.get(`SELECT ${COLUMNS} FROM dkim_keys WHERE domain = ? AND active = 1`, [domain]);
    return r ? row(r) : undefined;
  }

  async activate(domain: string, selector: string): Promise<boolean> {
    return this.db.tx(async (t) => {
      const exists = await t.get('SELECT 1 AS x FROM dkim_keys WHERE domain = ? AND selector = ?', [
        domain,
        selector,
      ]);
      if (!exists) return false;
      await t.run('UPDATE dkim_keys SET active = CASE WHEN selector = ? THEN 1 ELSE 0 END WHERE domain = ?', [
        selector,
        domain,
      ]);
      return true;
    });
  }

  async remove(domain: string, selector: string): Promise<boolean> {
    return (
      (await this.db.run('DELETE FROM dkim_keys WHERE domain = ? AND selector = ?', [domain, selector]))
        .changes > 0
    );
  }
}
