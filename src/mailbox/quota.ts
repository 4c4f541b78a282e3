import { LimitError, NotFoundError, PermissionError } from '../core/errors.js';
import { accountUsage, setAccountQuota } from '../store/mailbox/account-view.js';
import { ownerUsage, setFolderQuota, type FolderRow } from '../store/mailbox/folder-repo.js';
import type { SqlDb } from '../store/sql.js';
import { resolveFolder } from './access.js';
import type { MailboxContext } from './context.js';
import { SYSTEM_OWNER } from './folder-names.js';
import type { FolderRef, MailboxActor, QuotaRoot, QuotaStatus } from './types.js';

/** The account's usage against its quota (RFC 9208 root ''); the system owner has no quota. */
export async function accountQuota(db: SqlDb, accountId: number): Promise<QuotaStatus> {
  if (accountId === SYSTEM_OWNER) {
    const used = await ownerUsage(db, accountId);
    return { usedBytes: used.bytes, maxBytes: null, usedMessages: used.messages, maxMessages: null };
  }
  const a = await accountUsage(db, accountId);
  if (!a) throw new NotFoundError(`account ${accountId}`);
  return {
    usedBytes: a.usedBytes,
    maxBytes: a.quotaBytes,
    usedMessages: a.usedMessages,
    maxMessages: a.quotaMessages,
  };
}

function folderQuota(f: FolderRow): QuotaStatus {
  return {
    usedBytes: f.sizeBytes,
    maxBytes: f.quotaBytes,
    usedMessages: f.messageCount,
    maxMessages: f.quotaMessages,
  };
}

function over(q: QuotaStatus, bytes: number, messages: number): boolean {
  return (
    (q.maxBytes !== null && q.usedBytes + bytes > q.maxBytes) ||
    (q.maxMessages !== null && q.usedMessages + messages > q.maxMessages)
  );
}

/** Throws LimitError when adding `bytes` in `messages` to the folder would exceed its or its owner's quota. */
export async function checkQuota(
  db: SqlDb,
  folder: FolderRow,
  bytes: number,
  messages: number,
): Promise<void> {
  if (over(folderQuota(folder), bytes, messages))
    throw new LimitError(`folder ${folder.name} is over its quota`);
  if (folder.ownerId !== SYSTEM_OWNER && over(await accountQuota(db, folder.ownerId), bytes, messages))
    throw new LimitError('mailbox is over its quota');
}

export interface QuotaLimits {
  bytes: number | null;
  messages: number | null;
}

/** RFC 9208 quotas: the account root '' and per-folder roots (SCOoffice's quota on a folder). */
export class QuotaService {
  constructor(private readonly ctx: MailboxContext) {}

  /** GETQUOTAROOT: the roots that apply to a folder, with their usage. */
  async roots(actor: MailboxActor, ref: FolderRef): Promise<QuotaRoot[]> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    const out: QuotaRoot[] = [];
    if (f.row.ownerId !== SYSTEM_OWNER)
      out.push({
        root: f.row.ownerId === actor.accountId ? '' : `#${f.row.ownerId}`,
        ...(await accountQuota(this.ctx.db, f.row.ownerId)),
      });
    if (f.row.quotaBytes !== null || f.row.quotaMessages !== null)
      out.push({ root: f.name, ...folderQuota(f.row) });
    return out;
  }

  /** GETQUOTA: '' is the actor's account; any other root names a folder. */
  async get(actor: MailboxActor, root: string): Promise<QuotaRoot> {
    if (root === '') {
      if (actor.system) throw new NotFoundError('quota root ""');
      return { root, ...(await accountQuota(this.ctx.db, actor.accountId)) };
    }
    const f = await resolveFolder(this.ctx.db, actor, root, 'r');
    return { root, ...folderQuota(f.row) };
  }

  /**
   * SETQUOTA. An account's quota is the administrator's (system actor, `accountId` names the
   * account); a folder quota needs `a` on the folder.
   */
  async set(
    actor: MailboxActor,
    target: { accountId: number } | { folder: FolderRef },
    limits: QuotaLimits,
  ): Promise<void> {
    if ('accountId' in target) {
      if (!actor.system) throw new PermissionError('only an administrator sets an account quota');
      await setAccountQuota(this.ctx.db, target.accountId, limits.bytes, limits.messages);
      return;
    }
    await this.ctx.db.tx(async (t) => {
      const f = await resolveFolder(t, actor, target.folder, 'a');
      await setFolderQuota(t, f.row.id, limits.bytes, limits.messages);
    });
  }
}
