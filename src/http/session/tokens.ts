import { authorize, can } from '../../directory/authorization.js';
import type { Directory } from '../../directory/directory.js';
import { managedGroups } from '../../directory/scope.js';
import type { Account, Actor } from '../../directory/types.js';
import { NotFoundError, OperatorError } from '../../core/errors.js';
import type { SqlDb } from '../../store/sql.js';
import {
  deleteToken,
  findTokenByHash,
  findTokenById,
  insertToken,
  listTokens,
  markTokenUsed,
  type ApiTokenRow,
} from '../../store/http/token-repo.js';
import { hashSecret, newSecret } from './secrets.js';

/** Every token starts so; secret scanners and people can tell what leaked. */
export const TOKEN_PREFIX = 'mst_';

export interface ApiTokenInfo extends ApiTokenRow {
  account: string;
}

/**
 * API tokens for scripts (Authorization: Bearer). A token acts as its account with that
 * account's role; it is shown once at creation and stored hashed. Whoever may set an account's
 * password may create and revoke its tokens (the account itself, its administrators, the CLI).
 */
export class ApiTokenService {
  constructor(
    private readonly db: SqlDb,
    private readonly directory: Directory,
    private readonly now: () => number = Date.now,
  ) {}

  private async mayManage(actor: Actor, account: Account, action: string): Promise<void> {
    authorize(
      can.setPassword(actor, account, await managedGroups(this.db, actor)),
      actor,
      `${action} for ${account.address}`,
    );
  }

  async create(
    address: string,
    name: string,
    opts: { expiresInMs?: number | null } = {},
    actor: Actor,
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    const account = await this.directory.showAccount(address, actor);
    await this.mayManage(actor, account, 'create API tokens');
    if (!name.trim()) throw new OperatorError('a token needs a name (what script uses it)');
    const token = newSecret(TOKEN_PREFIX);
    const now = this.now();
    const row = await insertToken(
      this.db,
      {
        accountId: account.id,
        name: name.trim(),
        createdAt: now,
        expiresAt: opts.expiresInMs ? now + opts.expiresInMs : null,
      },
      hashSecret(token),
    );
    return { token, info: { ...row, account: account.address } };
  }

  /** Tokens of one account, or every token the actor may see. */
  async list(actor: Actor, address?: string): Promise<ApiTokenInfo[]> {
    if (address !== undefined) {
      const account = await this.directory.showAccount(address, actor);
      return (await listTokens(this.db, account.id)).map((t) => ({ ...t, account: account.address }));
    }
    const out: ApiTokenInfo[] = [];
    for (const t of await listTokens(
      this.db,
      can.manageDomains(actor) ? undefined : actor.kind === 'account' ? actor.account.id : undefined,
    )) {
      const a = await this.directory.getAccountById(t.accountId);
      if (a) out.push({ ...t, account: a.address });
    }
    return out;
  }

  async revoke(id: number, actor: Actor): Promise<void> {
    const t = await findTokenById(this.db, id);
    const account = t && (await this.directory.getAccountById(t.accountId));
    if (!t || !account) throw new NotFoundError(`API token ${id}`);
    await this.mayManage(actor, account, 'revoke API tokens');
    await deleteToken(this.db, id);
  }

  /** The account a bearer token acts as; undefined when unknown, expired or disabled. */
  async resolve(token: string): Promise<Account | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const t = await findTokenByHash(this.db, hashSecret(token));
    const now = this.now();
    if (!t || (t.expiresAt !== null && t.expiresAt <= now)) return undefined;
    const account = await this.directory.getAccountById(t.accountId);
    if (!account?.enabled) return undefined;
    if (t.lastUsedAt === null || now - t.lastUsedAt > 60_000) await markTokenUsed(this.db, t.id, now);
    return account;
  }
}
