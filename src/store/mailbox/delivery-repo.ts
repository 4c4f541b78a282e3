import type { SqlDb } from '../sql.js';

export interface DeliveryRecord {
  folder: string;
  uid: number;
  messageId: number;
}

export async function deliveryByKey(db: SqlDb, key: string): Promise<DeliveryRecord | undefined> {
  const r = await db.get<{ folder: string; uid: number; message_id: number }>(
    'SELECT folder, uid, message_id FROM mailbox_deliveries WHERE dedupe_key = ?',
    [key],
  );
  return r && { folder: r.folder, uid: Number(r.uid), messageId: Number(r.message_id) };
}

export async function recordDelivery(
  db: SqlDb,
  key: string,
  accountId: number,
  d: DeliveryRecord,
): Promise<void> {
  await db.run(
    'INSERT INTO mailbox_deliveries (dedupe_key, account_id, folder, uid, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    [key, accountId, d.folder, d.uid, d.messageId, Date.now()],
  );
}

/** Forgets dedupe keys older than `olderThan` (ms epoch); redelivery windows are far shorter. */
export async function pruneDeliveries(db: SqlDb, olderThan: number): Promise<number> {
  return (await db.run('DELETE FROM mailbox_deliveries WHERE created_at < ?', [olderThan])).changes;
}
