import type { SqlDb } from '../sql.js';

export interface ApiTokenRow {
  id: number;
  accountId: number;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

const COLUMNS =
  'id, account_id AS "accountId", name, created_at AS "createdAt", expires_at AS "expiresAt", last_used_at AS "lastUsedAt"';
const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function row(r: Record<string, unknown>): ApiTokenRow {
  return {
    id: Number(r.id),
    accountId: Number(r.accountId),
    name: String(r.name),
    createdAt: Number(r.createdAt),
    expiresAt: orNull(r.expiresAt),
    lastUsedAt: orNull(r.lastUsedAt),
  };
}

export async function insertToken(
  db: SqlDb,
  t: Omit<ApiTokenRow, 'id' | 'lastUsedAt'>,
  tokenHash: string,
): Promise<ApiTokenRow> {
  return db.tx(async (x) => {
    await x.run(
      'INSERT INTO api_tokens (account_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [t.accountId, t.name, tokenHash, t.createdAt, t.expiresAt],
    );
    return row(
      (await x.get<Record<string, unknown>>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ?`, [
        tokenHash,
      ]))!,
    );
  });
}

export async function findTokenByHash(db: SqlDb, tokenHash: string): Promise<ApiTokenRow | undefined> {
  const r = await db.get<Record<string, unknown>>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ?`, [
    tokenHash,
  ]);
  return r ? row(r) : undefined;
}

export async function findTokenById(db: SqlDb, id: number): Promise<ApiTokenRow | undefined> {
  const r = await db.get<Record<string, unknown>>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`, [id]);
  return r ? row(r) : undefined;
}

/** Tokens of one account, or of all when `accountId` is undefined. */
export async function listTokens(db: SqlDb, accountId?: number): Promise<ApiTokenRow[]> {
  const rows =
    accountId === undefined
      ? await db.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY id`)
      : await db.all<Record<string, unknown>>(
          `SELECT ${COLUMNS} FROM api_tokens WHERE account_id = ? ORDER BY id`,
          [accountId],
        );
  return rows.map(row);
}

export async function markTokenUsed(db: SqlDb, id: number, now: number): Promise<void> {
  await db.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [now, id]);
}

export async function deleteToken(db: SqlDb, id: number): Promise<boolean> {
  return (await db.run('DELETE FROM api_tokens WHERE id = ?', [id])).changes > 0;
}
