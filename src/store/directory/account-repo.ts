import type { Account, AccountFilter, AccountUpdate, Role } from '../../directory/types.js';
import type { Row, SqlDb, SqlValue } from '../sql.js';
import { bool, num, numOrNull, placeholders, strOrNull } from './rows.js';

const SELECT = `SELECT a.id, a.address, d.name AS domain, a.display_name, a.role, a.enabled, a.quota_bytes, a.quota_messages,
  a.receive_local_only, a.webmail, a.group_id, a.forward_to, a.forward_keep_copy, a.blob_volume, a.created_at
  FROM accounts a JOIN domains d ON d.id = a.domain_id`;

function toAccount(r: Row): Account {
  const fwd = String(r.forward_to ?? '');
  return {
    id: num(r.id),
    address: String(r.address),
    domain: String(r.domain),
    displayName: String(r.display_name ?? ''),
    role: String(r.role) as Role,
    enabled: bool(r.enabled),
    quotaBytes: numOrNull(r.quota_bytes),
    quotaMessages: numOrNull(r.quota_messages),
    receiveLocalOnly: bool(r.receive_local_only),
    webmail: bool(r.webmail),
    groupId: numOrNull(r.group_id),
    forwardTo: fwd ? fwd.split('\n') : [],
    forwardKeepCopy: bool(r.forward_keep_copy),
    blobVolume: strOrNull(r.blob_volume),
    createdAt: num(r.created_at),
  };
}

export async function findAccount(db: SqlDb, address: string): Promise<Account | undefined> {
  const r = await db.get(`${SELECT} WHERE a.address = ?`, [address]);
  return r && toAccount(r);
}

export async function findAccountById(db: SqlDb, id: number): Promise<Account | undefined> {
  const r = await db.get(`${SELECT} WHERE a.id = ?`, [id]);
  return r && toAccount(r);
}

export async function findAccountsByIds(db: SqlDb, ids: number[]): Promise<Account[]> {
  if (!ids.length) return [];
  return (await db.all(`${SELECT} WHERE a.id IN (${placeholders(ids.length)}) ORDER BY a.address`, ids)).map(
    toAccount,
  );
}

export async function listAccounts(
  db: SqlDb,
  f: AccountFilter & { groupIds?: number[] } = {},
): Promise<Account[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (f.domain !== undefined) {
    where.push('d.name = ?');
    params.push(f.domain);
  }
  if (f.groupId !== undefined) {
    where.push('a.group_id = ?');
    params.push(f.groupId);
  }
  if (f.role !== undefined) {
    where.push('a.role = ?');
    params.push(f.role);
  }
  if (f.groupIds) {
    if (!f.groupIds.length) return [];
    where.push(`a.group_id IN (${placeholders(f.groupIds.length)})`);
    params.push(...f.groupIds);
  }
  const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY a.address LIMIT ? OFFSET ?`;
  return (await db.all(sql, [...params, f.limit ?? 1_000_000, f.offset ?? 0])).map(toAccount);
}

export interface AccountRow extends Omit<Account, 'id' | 'domain' | 'createdAt' | 'blobVolume'> {
  domainId: number;
  passwordHash: string;
}

export async function insertAccount(db: SqlDb, a: AccountRow): Promise<number> {
  const now = Date.now();
  const r = await db.get<{ id: number }>(
    `INSERT INTO accounts (address, domain_id, display_name, password_hash, role, enabled, quota_bytes, quota_messages,
       receive_local_only, webmail, group_id, forward_to, forward_keep_copy, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      a.address,
      a.domainId,
      a.displayName,
      a.passwordHash,
      a.role,
      a.enabled ? 1 : 0,
      a.quotaBytes,
      a.quotaMessages,
      a.receiveLocalOnly ? 1 : 0,
      a.webmail ? 1 : 0,
      a.groupId,
      a.forwardTo.join('\n'),
      a.forwardKeepCopy ? 1 : 0,
      now,
      now,
    ],
  );
  return num(r!.id);
}

const COLUMNS: Record<keyof AccountUpdate, [string, (v: never) => SqlValue]> = {
  displayName: ['display_name', (v: string) => v],
  role: ['role', (v: Role) => v],
  quotaBytes: ['quota_bytes', (v: number | null) => v],
  quotaMessages: ['quota_messages', (v: number | null) => v],
  receiveLocalOnly: ['receive_local_only', (v: boolean) => (v ? 1 : 0)],
  webmail: ['webmail', (v: boolean) => (v ? 1 : 0)],
  groupId: ['group_id', (v: number | null) => v],
  forwardTo: ['forward_to', (v: string[]) => v.join('\n')],
  forwardKeepCopy: ['forward_keep_copy', (v: boolean) => (v ? 1 : 0)],
  blobVolume: ['blob_volume', (v: string | null) => v],
};

export async function updateAccount(db: SqlDb, id: number, u: AccountUpdate): Promise<void> {
  const keys = (Object.keys(u) as (keyof AccountUpdate)[]).filter((k) => u[k] !== undefined && k in COLUMNS);
  if (!keys.length) return;
  const sets = keys.map((k) => `${COLUMNS[k][0]} = ?`);
  const values = keys.map((k) => COLUMNS[k][1](u[k] as never));
  await db.run(`UPDATE accounts SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`, [
    ...values,
    Date.now(),
    id,
  ]);
}

export async function passwordHash(db: SqlDb, id: number): Promise<string | undefined> {
  return (await db.get<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE id = ?', [id]))
    ?.password_hash;
}

export async function setPasswordHash(db: SqlDb, id: number, hash: string): Promise<void> {
  await db.run('UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?', [hash, Date.now(), id]);
}

export async function setEnabled(db: SqlDb, id: number, enabled: boolean): Promise<void> {
  await db.run('UPDATE accounts SET enabled = ?, updated_at = ? WHERE id = ?', [
    enabled ? 1 : 0,
    Date.now(),
    id,
  ]);
}

/** The mailbox store reports an account's stored bytes here; domain storage usage sums it. */
export async function setUsedBytes(db: SqlDb, id: number, bytes: number): Promise<void> {
  await db.run('UPDATE accounts SET used_bytes = ? WHERE id = ?', [bytes, id]);
}

export async function deleteAccount(db: SqlDb, id: number): Promise<void> {
  await db.run('DELETE FROM scram_credentials WHERE account_id = ?', [id]);
  await db.run('DELETE FROM accounts WHERE id = ?', [id]);
}

/** A SCRAM verifier (RFC 5802 §3): what the server keeps instead of the password. */
export interface ScramCredential {
  mechanism: string;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export async function scramCredential(
  db: SqlDb,
  id: number,
  mechanism: string,
): Promise<ScramCredential | undefined> {
  const r = await db.get<{ salt: string; iterations: number; stored_key: string; server_key: string }>(
    'SELECT salt, iterations, stored_key, server_key FROM scram_credentials WHERE account_id = ? AND mechanism = ?',
    [id, mechanism],
  );
  return r
    ? {
        mechanism,
        salt: Buffer.from(r.salt, 'base64'),
        iterations: Number(r.iterations),
        storedKey: Buffer.from(r.stored_key, 'base64'),
        serverKey: Buffer.from(r.server_key, 'base64'),
      }
    : undefined;
}

/** Replaces the account's verifiers (a new password makes the old ones wrong). */
export async function setScramCredentials(db: SqlDb, id: number, creds: ScramCredential[]): Promise<void> {
  await db.run('DELETE FROM scram_credentials WHERE account_id = ?', [id]);
  for (const c of creds)
    await db.run(
      'INSERT INTO scram_credentials (account_id, mechanism, salt, iterations, stored_key, server_key) VALUES (?, ?, ?, ?, ?, ?)',
      [
        id,
        c.mechanism,
        c.salt.toString('base64'),
        c.iterations,
        c.storedKey.toString('base64'),
        c.serverKey.toString('base64'),
      ],
    );
}
