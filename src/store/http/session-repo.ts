import type { SqlDb } from '../sql.js';

export interface SessionRow {
  accountId: number;
  csrf: string;
  expiresAt: number;
}

export async function insertSession(db: SqlDb, tokenHash: string, s: SessionRow, now: number): Promise<void> {
  await db.run(
    'INSERT INTO http_sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    [tokenHash, s.accountId, s.csrf, now, s.expiresAt],
  );
}

export async function findSession(
  db: SqlDb,
  tokenHash: string,
  now: number,
): Promise<SessionRow | undefined> {
  const r = await db.get<Record<string, unknown>>(
    'SELECT account_id, csrf, expires_at FROM http_sessions WHERE token_hash = ? AND expires_at > ?',
    [tokenHash, now],
  );
  return r
    ? { accountId: Number(r.account_id), csrf: String(r.csrf), expiresAt: Number(r.expires_at) }
    : undefined;
}

export async function touchSession(db: SqlDb, tokenHash: string, expiresAt: number): Promise<void> {
  await db.run('UPDATE http_sessions SET expires_at = ? WHERE token_hash = ?', [expiresAt, tokenHash]);
}

export async function deleteSession(db: SqlDb, tokenHash: string): Promise<void> {
  await db.run('DELETE FROM http_sessions WHERE token_hash = ?', [tokenHash]);
}

export async function deleteExpiredSessions(db: SqlDb, now: number): Promise<number> {
  return (await db.run('DELETE FROM http_sessions WHERE expires_at <= ?', [now])).changes;
}
