import type { Group } from '../../directory/types.js';
import type { Row, SqlDb } from '../sql.js';
import { num, numOrNull, strOrNull } from './rows.js';

const SELECT = `SELECT g.id, g.name, g.parent_id, d.name AS domain FROM account_groups g LEFT JOIN domains d ON d.id = g.domain_id`;

async function toGroup(db: SqlDb, r: Row): Promise<Group> {
  const id = num(r.id);
  const admins = await db.all<{ address: string }>(
    'SELECT a.address FROM group_admins ga JOIN accounts a ON a.id = ga.account_id WHERE ga.group_id = ? ORDER BY a.address',
    [id],
  );
  return {
    id,
    name: String(r.name),
    parentId: numOrNull(r.parent_id),
    domain: strOrNull(r.domain),
    admins: admins.map((a) => a.address),
  };
}

export async function findGroup(db: SqlDb, name: string): Promise<Group | undefined> {
  const r = await db.get(`${SELECT} WHERE g.name = ?`, [name]);
  return r && toGroup(db, r);
}

export async function findGroupById(db: SqlDb, id: number): Promise<Group | undefined> {
  const r = await db.get(`${SELECT} WHERE g.id = ?`, [id]);
  return r && toGroup(db, r);
}

export async function listGroups(db: SqlDb): Promise<Group[]> {
  const rows = await db.all(`${SELECT} ORDER BY g.name`);
  return Promise.all(rows.map((r) => toGroup(db, r)));
}

/** Every group as id → parent id, for walking the tree without loading admins. */
export async function groupParents(db: SqlDb): Promise<Map<number, number | null>> {
  const rows = await db.all<Row>('SELECT id, parent_id FROM account_groups');
  return new Map(rows.map((r) => [num(r.id), numOrNull(r.parent_id)]));
}

export async function insertGroup(
  db: SqlDb,
  g: { name: string; parentId: number | null; domainId: number | null },
): Promise<number> {
  const r = await db.get<{ id: number }>(
    'INSERT INTO account_groups (name, parent_id, domain_id, created_at) VALUES (?, ?, ?, ?) RETURNING id',
    [g.name, g.parentId, g.domainId, Date.now()],
  );
  return num(r!.id);
}

export async function deleteGroup(db: SqlDb, id: number): Promise<void> {
  await db.run('DELETE FROM account_groups WHERE id = ?', [id]);
}

/** How many sub-groups and member accounts a group has (a group is removed only when empty). */
export async function groupContents(db: SqlDb, id: number): Promise<{ groups: number; accounts: number }> {
  const g = await db.get<Row>('SELECT COUNT(*) AS n FROM account_groups WHERE parent_id = ?', [id]);
  const a = await db.get<Row>('SELECT COUNT(*) AS n FROM accounts WHERE group_id = ?', [id]);
  return { groups: num(g!.n), accounts: num(a!.n) };
}

export async function addGroupAdmin(db: SqlDb, groupId: number, accountId: number): Promise<boolean> {
  const exists = await db.get('SELECT 1 AS x FROM group_admins WHERE group_id = ? AND account_id = ?', [
    groupId,
    accountId,
  ]);
  if (exists) return false;
  await db.run('INSERT INTO group_admins (group_id, account_id) VALUES (?, ?)', [groupId, accountId]);
  return true;
}

export async function removeGroupAdmin(db: SqlDb, groupId: number, accountId: number): Promise<boolean> {
  return (
    (await db.run('DELETE FROM group_admins WHERE group_id = ? AND account_id = ?', [groupId, accountId]))
      .changes > 0
  );
}

/** The groups an account administers directly (their sub-groups are implied). */
export async function administeredGroupIds(db: SqlDb, accountId: number): Promise<number[]> {
  return (await db.all<Row>('SELECT group_id FROM group_admins WHERE account_id = ?', [accountId])).map((r) =>
    num(r.group_id),
  );
}
