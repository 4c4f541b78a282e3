import type { SqlDb } from '../sql.js';

/**
 * What the mailbox reads of the directory's tables (`accounts`, `account_groups`), in one place:
 * addresses and groups for ACL identifiers, quotas for RFC 9208. Reading them inside the
 * mailbox's own transactions keeps a quota check and the write it guards consistent.
 */
export interface AccountView {
  id: number;
  address: string;
  quotaBytes: number | null;
  quotaMessages: number | null;
  blobVolume: string;
  /** Names of the account's group and every group above it. */
  groups: string[];
}

const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function accountView(db: SqlDb, accountId: number): Promise<AccountView | undefined> {
  const a = await db.get<Record<string, unknown>>(
    'SELECT id, address, quota_bytes, quota_messages, blob_volume, group_id FROM accounts WHERE id = ?',
    [accountId],
  );
  if (!a) return undefined;
  const groups =
    a.group_id === null || a.group_id === undefined
      ? []
      : (
          await db.all<{ name: string }>(
            `WITH RECURSIVE up (id, name, parent_id, depth) AS (
               SELECT id, name, parent_id, 0 FROM account_groups WHERE id = ?
               UNION ALL
               SELECT g.id, g.name, g.parent_id, up.depth + 1 FROM account_groups g JOIN up ON g.id = up.parent_id WHERE up.depth < 32
             ) SELECT name FROM up`,
            [Number(a.group_id)],
          )
        ).map((g) => g.name);
  return {
    id: Number(a.id),
    address: String(a.address),
    quotaBytes: numOrNull(a.quota_bytes),
    quotaMessages: numOrNull(a.quota_messages),
    blobVolume: (a.blob_volume as string | null) ?? '',
    groups,
  };
}

/** An account's quota and what its folders use, in one statement (RFC 9208 root ''). */
export async function accountUsage(
  db: SqlDb,
  accountId: number,
): Promise<
  | { quotaBytes: number | null; quotaMessages: number | null; usedBytes: number; usedMessages: number }
  | undefined
> {
  const r = await db.get<Record<string, unknown>>(
    `SELECT a.quota_bytes, a.quota_messages, COALESCE(SUM(f.size_bytes), 0) AS b, COALESCE(SUM(f.message_count), 0) AS m
     FROM accounts a LEFT JOIN mailbox_folders f ON f.owner_id = a.id WHERE a.id = ? GROUP BY a.id`,
    [accountId],
  );
  return (
    r && {
      quotaBytes: numOrNull(r.quota_bytes),
      quotaMessages: numOrNull(r.quota_messages),
      usedBytes: Number(r.b),
      usedMessages: Number(r.m),
    }
  );
}

export async function accountIdByAddress(db: SqlDb, address: string): Promise<number | undefined> {
  const r = await db.get<{ id: number }>('SELECT id FROM accounts WHERE address = ?', [
    address.toLowerCase(),
  ]);
  return r ? Number(r.id) : undefined;
}

export async function addressesOf(db: SqlDb, ids: readonly number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.all<{ id: number; address: string }>(
    `SELECT id, address FROM accounts WHERE id IN (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  return new Map(rows.map((r) => [Number(r.id), r.address]));
}

export async function setAccountQuota(
  db: SqlDb,
  accountId: number,
  bytes: number | null,
  messages: number | null,
): Promise<void> {
  await db.run('UPDATE accounts SET quota_bytes = ?, quota_messages = ?, updated_at = ? WHERE id = ?', [
    bytes,
    messages,
    Date.now(),
    accountId,
  ]);
}

/** Sets `used_bytes` to the recounted figure (reconstruct). */
export async function setUsedBytes(db: SqlDb, accountId: number, bytes: number): Promise<void> {
  await db.run('UPDATE accounts SET used_bytes = ? WHERE id = ?', [bytes, accountId]);
}
