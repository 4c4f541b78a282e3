import type { SendGrant, SendPermission } from '../../directory/types.js';
import type { Row, SqlDb } from '../sql.js';
import { placeholders } from './rows.js';

export type Grantee = { accountId: number } | { groupId: number };

const granteeColumn = (g: Grantee) =>
  ('accountId' in g ? ['account_id', g.accountId] : ['group_id', g.groupId]) as [string, number];

/** Records a grant unless it exists; returns whether it was new. */
export async function insertGrant(
  db: SqlDb,
  mailbox: string,
  grantee: Grantee,
  permission: SendPermission,
): Promise<boolean> {
  const [col, id] = granteeColumn(grantee);
  if (
    await db.get(`SELECT 1 AS x FROM send_grants WHERE mailbox = ? AND ${col} = ? AND permission = ?`, [
      mailbox,
      id,
      permission,
    ])
  )
    return false;
  await db.run(`INSERT INTO send_grants (mailbox, ${col}, permission, created_at) VALUES (?, ?, ?, ?)`, [
    mailbox,
    id,
    permission,
    Date.now(),
  ]);
  return true;
}

export async function deleteGrant(
  db: SqlDb,
  mailbox: string,
  grantee: Grantee,
  permission: SendPermission,
): Promise<boolean> {
  const [col, id] = granteeColumn(grantee);
  return (
    (
      await db.run(`DELETE FROM send_grants WHERE mailbox = ? AND ${col} = ? AND permission = ?`, [
        mailbox,
        id,
        permission,
      ])
    ).changes > 0
  );
}

export async function deleteGrantsOn(db: SqlDb, mailbox: string): Promise<void> {
  await db.run('DELETE FROM send_grants WHERE mailbox = ?', [mailbox]);
}

/** The permissions on `mailbox` held by the account directly or through any of `groupIds`. */
export async function heldPermissions(
  db: SqlDb,
  mailbox: string,
  accountId: number,
  groupIds: number[],
): Promise<SendPermission[]> {
  const byGroup = groupIds.length ? ` OR group_id IN (${placeholders(groupIds.length)})` : '';
  const rows = await db.all<Row>(
    `SELECT DISTINCT permission FROM send_grants WHERE mailbox = ? AND (account_id = ?${byGroup})`,
    [mailbox, accountId, ...groupIds],
  );
  return rows.map((r) => String(r.permission) as SendPermission);
}

export async function listGrants(db: SqlDb, mailbox?: string): Promise<SendGrant[]> {
  const rows = await db.all<Row>(
    `SELECT s.mailbox, s.permission, a.address AS account, g.name AS grp FROM send_grants s
     LEFT JOIN accounts a ON a.id = s.account_id LEFT JOIN account_groups g ON g.id = s.group_id
     ${mailbox === undefined ? '' : 'WHERE s.mailbox = ?'} ORDER BY s.mailbox, s.permission, COALESCE(a.address, '@' || g.name)`,
    mailbox === undefined ? [] : [mailbox],
  );
  return rows.map((r) => ({
    mailbox: String(r.mailbox),
    permission: String(r.permission) as SendPermission,
    grantee:
      r.account !== null && r.account !== undefined
        ? { kind: 'account', address: String(r.account) }
        : { kind: 'group', name: String(r.grp) },
  }));
}
