import type { Alias, AliasUpdate } from '../../directory/types.js';
import type { Row, SqlDb } from '../sql.js';
import { bool, num } from './rows.js';

const SELECT = 'SELECT id, address, restricted, members_may_send, created_at FROM aliases';

async function toAlias(db: SqlDb, r: Row): Promise<Alias> {
  const id = num(r.id);
  const members = await db.all<{ address: string }>(
    'SELECT address FROM alias_members WHERE alias_id = ? ORDER BY address',
    [id],
  );
  const owners = await db.all<{ address: string }>(
    'SELECT a.address FROM alias_owners o JOIN accounts a ON a.id = o.account_id WHERE o.alias_id = ? ORDER BY a.address',
    [id],
  );
  const senders = await db.all<{ address: string }>(
    'SELECT address FROM alias_senders WHERE alias_id = ? ORDER BY address',
    [id],
  );
  const addresses = (rows: { address: string }[]) => rows.map((x) => x.address);
  return alias(r, addresses(members), addresses(owners), addresses(senders));
}

function alias(r: Row, members: string[], owners: string[], allowedSenders: string[]): Alias {
  return {
    id: num(r.id),
    address: String(r.address),
    members,
    owners,
    restricted: bool(r.restricted),
    allowedSenders,
    membersMaySend: bool(r.members_may_send),
    createdAt: num(r.created_at),
  };
}

export async function findAlias(db: SqlDb, address: string): Promise<Alias | undefined> {
  const r = await db.get(`${SELECT} WHERE address = ?`, [address]);
  return r && toAlias(db, r);
}

export async function listAliases(db: SqlDb, domainId?: number): Promise<Alias[]> {
  const where = domainId === undefined ? '' : ' WHERE domain_id = ?';
  const params = domainId === undefined ? [] : [domainId];
  const rows = await db.all(`${SELECT}${where} ORDER BY address`, params);
  // The members, owners and senders of every listed alias in three queries, not three per alias.
  const listed = `alias_id IN (SELECT id FROM aliases${where})`;
  const byAlias = async (sql: string) => {
    const out = new Map<number, string[]>();
    for (const r of await db.all(sql, params)) {
      const id = num(r.alias_id);
      const list = out.get(id);
      if (list) list.push(String(r.address));
      else out.set(id, [String(r.address)]);
    }
    return out;
  };
  const members = await byAlias(
    `SELECT alias_id, address FROM alias_members WHERE ${listed} ORDER BY address`,
  );
  const owners = await byAlias(
    `SELECT o.alias_id, a.address FROM alias_owners o JOIN accounts a ON a.id = o.account_id WHERE o.${listed} ORDER BY a.address`,
  );
  const senders = await byAlias(
    `SELECT alias_id, address FROM alias_senders WHERE ${listed} ORDER BY address`,
  );
  return rows.map((r) => {
    const id = num(r.id);
    return alias(r, members.get(id) ?? [], owners.get(id) ?? [], senders.get(id) ?? []);
  });
}

export async function insertAlias(
  db: SqlDb,
  a: { address: string; domainId: number; restricted: boolean; membersMaySend: boolean },
): Promise<number> {
  const r = await db.get<{ id: number }>(
    'INSERT INTO aliases (address, domain_id, restricted, members_may_send, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
    [a.address, a.domainId, a.restricted ? 1 : 0, a.membersMaySend ? 1 : 0, Date.now()],
  );
  return num(r!.id);
}

export async function deleteAlias(db: SqlDb, id: number): Promise<void> {
  await db.run('DELETE FROM aliases WHERE id = ?', [id]);
}

/** Adds members not already present; returns how many were new. */
export async function addMembers(db: SqlDb, id: number, addresses: string[]): Promise<number> {
  let added = 0;
  for (const a of addresses) {
    if (await db.get('SELECT 1 AS x FROM alias_members WHERE alias_id = ? AND address = ?', [id, a]))
      continue;
    await db.run('INSERT INTO alias_members (alias_id, address) VALUES (?, ?)', [id, a]);
    added++;
  }
  return added;
}

export async function removeMembers(db: SqlDb, id: number, addresses: string[]): Promise<number> {
  let removed = 0;
  for (const a of addresses)
    removed += (await db.run('DELETE FROM alias_members WHERE alias_id = ? AND address = ?', [id, a]))
      .changes;
  return removed;
}

export async function setOwners(db: SqlDb, id: number, accountIds: number[]): Promise<void> {
  await db.run('DELETE FROM alias_owners WHERE alias_id = ?', [id]);
  for (const a of new Set(accountIds))
    await db.run('INSERT INTO alias_owners (alias_id, account_id) VALUES (?, ?)', [id, a]);
}

export async function setAllowedSenders(db: SqlDb, id: number, addresses: string[]): Promise<void> {
  await db.run('DELETE FROM alias_senders WHERE alias_id = ?', [id]);
  for (const a of new Set(addresses))
    await db.run('INSERT INTO alias_senders (alias_id, address) VALUES (?, ?)', [id, a]);
}

export async function updateAliasFlags(
  db: SqlDb,
  id: number,
  u: Pick<AliasUpdate, 'restricted' | 'membersMaySend'>,
): Promise<void> {
  if (u.restricted !== undefined)
    await db.run('UPDATE aliases SET restricted = ? WHERE id = ?', [u.restricted ? 1 : 0, id]);
  if (u.membersMaySend !== undefined)
    await db.run('UPDATE aliases SET members_may_send = ? WHERE id = ?', [u.membersMaySend ? 1 : 0, id]);
}

/** The ids of the aliases that list `address` as a member. */
export async function findAliasMemberships(db: SqlDb, address: string): Promise<number[]> {
  return (await db.all<Row>('SELECT alias_id FROM alias_members WHERE address = ?', [address])).map((r) =>
    num(r.alias_id),
  );
}
