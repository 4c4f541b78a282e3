import type { Account } from '../../directory/types.js';
import type { Directory } from '../../directory/directory.js';
import type { SqlDb } from '../../store/sql.js';
import {
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
  touchSession,
} from '../../store/http/session-repo.js';
import { hashSecret, newSecret } from './secrets.js';

/** Idle time after which a login session ends; each request renews it. */
export const SESSION_IDLE_MS = 8 * 3_600_000;

export interface Session {
  account: Account;
  csrf: string;
}

/**
 * Login sessions of the admin UI: a random cookie value (stored hashed) bound to an account and
 * a per-session CSRF token. The account is read afresh on every request, so disabling an account
 * or changing its role applies to a running session at once.
 */
export class SessionService {
  constructor(
    private readonly db: SqlDb,
    private readonly directory: Directory,
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks the password (with the directory's throttling) and opens a session. */
  async login(address: string, password: string, ip: string | null): Promise<Session & { token: string }> {
    const account = await this.directory.authenticate(address, password, { ip, protocol: 'http' });
    const token = newSecret();
    const csrf = newSecret();
    const now = this.now();
    await deleteExpiredSessions(this.db, now);
    await insertSession(
      this.db,
      hashSecret(token),
      { accountId: account.id, csrf, expiresAt: now + SESSION_IDLE_MS },
      now,
    );
    return { token, account, csrf };
  }

  /** The session of a cookie value, renewed; undefined when unknown, expired or the account is disabled. */
  async resolve(token: string): Promise<Session | undefined> {
    const hash = hashSecret(token);
    const now = this.now();
    const s = await findSession(this.db, hash, now);
    if (!s) return undefined;
    const account = await this.directory.getAccountById(s.accountId);
    if (!account?.enabled) return undefined;
    // Renewing costs a write; do it only when a noticeable part of the idle time has passed.
    if (s.expiresAt - now < SESSION_IDLE_MS - 60_000)
      await touchSession(this.db, hash, now + SESSION_IDLE_MS);
    return { account, csrf: s.csrf };
  }

  async logout(token: string): Promise<void> {
    await deleteSession(this.db, hashSecret(token));
  }
}
