import type { Domain, DomainUpdate } from '../../directory/types.js';
import type { Row, SqlDb } from '../sql.js';
import { num, numOrNull, strOrNull } from './rows.js';

const SELECT = `SELECT d.id, d.name, t.name AS alias_of, d.max_accounts, d.max_aliases, d.max_storage, d.catch_all, d.created_at
  FROM domains d LEFT JOIN domains t ON t.id = d.alias_of_id`;

function toDomain(r: Row): Domain {
  return {
    id: num(r.id),
    name: String(r.name),
    aliasOf: strOrNull(r.alias_of),
    maxAccounts: numOrNull(r.max_accounts),
    maxAliases: numOrNull(r.max_aliases),
    maxStorage: numOrNull(r.max_storage),
    catchAll: strOrNull(r.catch_all),
    createdAt: num(r.created_at),
  };
}

export async function findDomain(db: SqlDb, name: string): Promise<Domain | undefined> {
  const r = await db.get(`${SELECT} WHERE d.name = ?`, [name]);
  return r && toDomain(r);
}

export async function listDomains(db: SqlDb): Promise<Domain[]> {
  return (await db.all(`${SELECT} ORDER BY d.name`)).map(toDomain);
}

export async function insertDomain(
  db: SqlDb,
  d: Omit<Domain, 'id' | 'createdAt' | 'aliasOf'> & { aliasOfId: number | null },
): Promise<number> {
  const r = await db.get<{ id: number }>(
    'INSERT INTO domains (name, alias_of_id, max_accounts, max_aliases, max_storage, catch_all, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [d.name, d.aliasOfId, d.maxAccounts, d.maxAliases, d.maxStorage, d.catchAll, Date.now()],
  );
  return num(r!.id);
}

const COLUMNS: Record<keyof DomainUpdate, string> = {
  maxAccounts: 'max_accounts',
  maxAliases: 'max_aliases',
  maxStorage: 'max_storage',
  catchAll: 'catch_all',
};

export async function updateDomain(db: SqlDb, id: number, u: DomainUpdate): Promise<void> {
  const keys = (Object.keys(u) as (keyof DomainUpdate)[]).filter((k) => u[k] !== undefined && k in COLUMNS);
  if (!keys.length) return;
  await db.run(`UPDATE domains SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`, [
    ...keys.map((k) => u[k] ?? null),
    id,
  ]);
}

export async function deleteDomain(db: SqlDb, id: number): Promise<void> {
  await db.run('DELETE FROM domains WHERE id = ?', [id]);
}

/** Domains that are aliases of `id`. */
export async function domainAliasNames(db: SqlDb, id: number): Promise<string[]> {
  return (
    await db.all<{ name: string }>('SELECT name FROM domains WHERE alias_of_id = ? ORDER BY name', [id])
  ).map((r) => r.name);
}

export interface DomainCounts {
  accounts: number;
  aliases: number;
  usedBytes: number;
  allocatedBytes: number;
  groups: number;
}

export async function domainCounts(db: SqlDb, id: number): Promise<DomainCounts> {
  const a = await db.get<Row>(
    'SELECT COUNT(*) AS n, COALESCE(SUM(used_bytes), 0) AS used, COALESCE(SUM(quota_bytes), 0) AS allocated FROM accounts WHERE domain_id = ?',
    [id],
  );
  const al = await db.get<Row>('SELECT COUNT(*) AS n FROM aliases WHERE domain_id = ?', [id]);
  const g = await db.get<Row>('SELECT COUNT(*) AS n FROM account_groups WHERE domain_id = ?', [id]);
  return {
    accounts: num(a!.n),
    aliases: num(al!.n),
    usedBytes: num(a!.used),
    allocatedBytes: num(a!.allocated),
    groups: num(g!.n),
  };
}

/** domainCounts of every domain that has anything, by domain id: three queries for all, not three per domain. */
export async function allDomainCounts(db: SqlDb): Promise<Map<number, DomainCounts>> {
  const out = new Map<number, DomainCounts>();
  const of = (id: unknown) => {
    let c = out.get(num(id));
    if (!c) out.set(num(id), (c = { accounts: 0, aliases: 0, usedBytes: 0, allocatedBytes: 0, groups: 0 }));
    return c;
  };
  for (const r of await db.all(
    'SELECT domain_id, COUNT(*) AS n, COALESCE(SUM(used_bytes), 0) AS used, COALESCE(SUM(quota_bytes), 0) AS allocated FROM accounts GROUP BY domain_id',
  )) {
    const c = of(r.domain_id);
    c.accounts = num(r.n);
    c.usedBytes = num(r.used);
    c.allocatedBytes = num(r.allocated);
  }
  for (const r of await db.all('SELECT domain_id, COUNT(*) AS n FROM aliases GROUP BY domain_id'))
    of(r.domain_id).aliases = num(r.n);
  for (const r of await db.all('SELECT domain_id, COUNT(*) AS n FROM account_groups GROUP BY domain_id'))
    of(r.domain_id).groups = num(r.n);
  return out;
}

/**
 * Serialises limit checks on one domain until the transaction ends. SQLite transactions are
 * already exclusive (BEGIN IMMEDIATE); PostgreSQL needs the row lock.
 */
export async function lockDomain(db: SqlDb, id: number): Promise<void> {
  if (db.dialect === 'postgres') await db.get('SELECT id FROM domains WHERE id = ? FOR UPDATE', [id]);
}
