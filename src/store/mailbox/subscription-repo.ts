import type { SqlDb } from '../sql.js';

/** Subscriptions are by name as the account sees it; RFC 9051 allows names that do not exist. */
export async function subscriptionsOf(db: SqlDb, accountId: number): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>('SELECT name FROM mailbox_subscriptions WHERE account_id = ?', [
    accountId,
  ]);
  return new Set(rows.map((r) => r.name));
}

export async function setSubscribed(db: SqlDb, accountId: number, name: string, on: boolean): Promise<void> {
  await db.run('DELETE FROM mailbox_subscriptions WHERE account_id = ? AND name = ?', [accountId, name]);
  if (on)
    await db.run('INSERT INTO mailbox_subscriptions (account_id, name) VALUES (?, ?)', [accountId, name]);
}
