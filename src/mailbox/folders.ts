import { ConflictError, NotFoundError, PermissionError } from '../core/errors.js';
import { releaseBlobRefs } from '../store/blobs/blob-refs.js';
import { addressesOf } from '../store/mailbox/account-view.js';
import { copyAcl } from '../store/mailbox/acl-repo.js';
import {
  adjustUsage,
  advanceFirstRecent,
  deleteFolderRow,
  folderByName,
  foldersOf,
  foldersSharedWith,
  insertFolder,
  renameFolderTree,
  type FolderRow,
} from '../store/mailbox/folder-repo.js';
import { allFlagRows, knownKeywords, statusCounts } from '../store/mailbox/message-repo.js';
import { entryForFolders, putEntry, SHARED_ENTRY } from '../store/mailbox/metadata-repo.js';
import { setSubscribed, subscriptionsOf } from '../store/mailbox/subscription-repo.js';
import type { SqlDb } from '../store/sql.js';
import { nameFor, ownerOf, resolveFolder, rightsOn } from './access.js';
import { folderChanged } from './events.js';
import { writeTx, type MailboxContext } from './context.js';
import { decodeKeywords } from './flags.js';
import { parentPath, parseFolderName, SEPARATOR, SYSTEM_OWNER, viewName } from './folder-names.js';
import { FOLDER_TYPE_ENTRY, folderTypeFromEntry, folderTypeToEntry } from './folder-types.js';
import { hasRights } from './rights.js';
import {
  SPECIAL_USES,
  type FolderInfo,
  type FolderRef,
  type FolderStatus,
  type FolderType,
  type MailboxActor,
  type SelectSnapshot,
  type SpecialUse,
} from './types.js';

export interface CreateFolderOptions {
  specialUse?: SpecialUse | null;
  type?: FolderType;
}

function checkSpecialUse(use: string | null | undefined): SpecialUse | null {
  if (!use) return null;
  const found = SPECIAL_USES.find((u) => u.toLowerCase() === use.toLowerCase());
  if (!found)
    throw new PermissionError(`unknown special use ${use}`, { imap: { status: 'NO', code: 'USEATTR' } });
  return found;
}

/** Folders: the hierarchy, LIST, CREATE, DELETE, RENAME, SUBSCRIBE, STATUS, SELECT. */
export class FolderService {
  /** Accounts whose default folders exist, so the check costs nothing after the first time. */
  private readonly ensured = new Set<number>();

  constructor(private readonly ctx: MailboxContext) {}

  /** The configured special-use folders, as [name, use]. */
  private specialFolders(): Array<[string, SpecialUse]> {
    return this.ctx.config.get<string[]>('mailbox.special_folders').flatMap((s) => {
      const [name, use] = s.split('=');
      const su = SPECIAL_USES.find((u) => u.toLowerCase() === (use ?? '').trim().toLowerCase());
      return name && su ? [[name.trim(), su] as [string, SpecialUse]] : [];
    });
  }

  /** Makes INBOX and the special-use folders of an account if missing; idempotent. */
  async ensureDefaults(accountId: number, db: SqlDb = this.ctx.db): Promise<void> {
    if (this.ensured.has(accountId)) return;
    const want: Array<[string, SpecialUse | null]> = [['INBOX', null], ...this.specialFolders()];
    const have = new Set((await foldersOf(db, accountId)).map((f) => f.name));
    if (want.some(([n]) => !have.has(n))) {
      const make = () =>
        db.tx(async (t) => {
          for (const [name, use] of want) {
            // Another node or request may have made it meanwhile: look again inside the transaction.
            if (!(await folderByName(t, accountId, name)))
              await insertFolder(t, { ownerId: accountId, name, specialUse: use });
          }
        });
      try {
        await make();
      } catch (e) {
        // PostgreSQL: a concurrent first delivery made them after our look; it has committed by
        // the time the unique index refuses ours, so a second look finds its folders.
        if (!/unique|duplicate/i.test((e as Error).message)) throw e;
        await make();
      }
    }
    this.ensured.add(accountId);
  }

  /** Every folder the actor may see (`l`): its own, others' shared with it, public ones. */
  async list(actor: MailboxActor): Promise<FolderInfo[]> {
    const db = this.ctx.db;
    if (!actor.system) await this.ensureDefaults(actor.accountId);
    const own = actor.system ? [] : await foldersOf(db, actor.accountId);
    const shared: Array<{ row: FolderRow; rights: string }> = [];
    for (const row of await foldersSharedWith(db, actor.accountId, actor.identifiers)) {
      const rights = await rightsOn(db, actor, row);
      if (hasRights(rights, 'l')) shared.push({ row, rights });
    }
    const all = [...own.map((row) => ({ row, rights: 'lrswipkxtea' })), ...shared];
    const addresses = await addressesOf(db, [
      ...new Set(shared.map((s) => s.row.ownerId).filter((id) => id !== SYSTEM_OWNER)),
    ]);
    const types = await entryForFolders(
      db,
      all.map((f) => f.row.id),
      FOLDER_TYPE_ENTRY,
    );
    const subscribed = actor.system ? new Set<string>() : await subscriptionsOf(db, actor.accountId);
    const named = all.map((f) => ({
      ...f,
      name: viewName(actor.accountId, f.row.ownerId, addresses.get(f.row.ownerId) ?? '', f.row.name),
    }));
    const names = new Set(named.map((f) => f.name));
    const parents = new Set<string>();
    for (const n of names) for (let p = parentPath(n); p; p = parentPath(p)) parents.add(p);
    return named.map((f) => ({
      id: f.row.id,
      name: f.name,
      namespace:
        f.row.ownerId === actor.accountId ? 'personal' : f.row.ownerId === SYSTEM_OWNER ? 'shared' : 'other',
      ownerId: f.row.ownerId,
      // Another account's \Sent is not the viewer's Sent folder.
      specialUse: f.row.ownerId === actor.accountId ? (f.row.specialUse as SpecialUse | null) : null,
      type: folderTypeFromEntry(types.get(f.row.id)),
      subscribed: subscribed.has(f.name),
      hasChildren: parents.has(f.name),
      rights: f.rights,
    }));
  }

  async create(actor: MailboxActor, name: string, opts: CreateFolderOptions = {}): Promise<FolderInfo> {
    const p = parseFolderName(name);
    const specialUse = checkSpecialUse(opts.specialUse);
    if (specialUse && p.namespace !== 'personal')
      throw new PermissionError('special-use folders are personal', {
        imap: { status: 'NO', code: 'USEATTR' },
      });
    const created = await writeTx(this.ctx, async (t, publish) => {
      const owner = await ownerOf(t, actor, p);
      if (owner === undefined) throw new NotFoundError(`folder ${name}`);
      if (await folderByName(t, owner, p.name)) throw new ConflictError(`folder ${name} already exists`);
      const parentName = parentPath(p.name);
      const parent = parentName === null ? undefined : await folderByName(t, owner, parentName);
      if (owner !== actor.accountId && !actor.system) {
        // Creating in someone else's tree takes `k` on the parent folder there.
        if (!parent || !hasRights(await rightsOn(t, actor, parent), 'k'))
          throw new PermissionError(`no permission to create ${name}`);
      }
      const row = await insertFolder(t, { ownerId: owner, name: p.name, specialUse });
      if (parent) await copyAcl(t, parent.id, row.id);
      if (opts.type && opts.type !== 'mail')
        await putEntry(
          t,
          { folderId: row.id, accountId: SHARED_ENTRY, entry: FOLDER_TYPE_ENTRY },
          folderTypeToEntry(opts.type),
        );
      publish({ kind: 'folder', folderId: row.id, ownerId: owner, modseq: row.highestModseq, uids: null });
      return row;
    });
    const view = actor.system ? viewName(-1, created.ownerId, '', created.name) : name;
    return {
      id: created.id,
      name: view,
      namespace: p.namespace,
      ownerId: created.ownerId,
      specialUse,
      type: opts.type ?? 'mail',
      subscribed: false,
      hasChildren: false,
      rights: await rightsOn(this.ctx.db, actor, created),
    };
  }

  /** Deletes a folder and its messages (`x`); its subfolders stay. INBOX cannot be deleted. */
  async delete(actor: MailboxActor, ref: FolderRef): Promise<void> {
    await writeTx(this.ctx, async (t, publish) => {
      const f = await resolveFolder(t, actor, ref, 'x');
      if (f.row.name === 'INBOX' && f.row.ownerId !== SYSTEM_OWNER)
        throw new PermissionError('INBOX cannot be deleted', { imap: { status: 'NO', code: 'CANNOT' } });
      const hashes = await t.all<{ hash: string; n: number }>(
        'SELECT b.hash, COUNT(*) AS n FROM mailbox_messages m JOIN mailbox_bodies b ON b.id = m.body_id WHERE m.folder_id = ? GROUP BY b.hash',
        [f.row.id],
      );
      for (const h of hashes) await releaseBlobRefs(t, h.hash, Number(h.n));
      await adjustUsage(t, f.row, -f.row.messageCount, -f.row.sizeBytes);
      await deleteFolderRow(t, f.row.id);
      publish(folderChanged(f.row));
    });
  }

  /**
   * Renames a folder and its subfolders within one owner's tree (`x` on it, `k` on the new
   * parent when not the owner). Renaming INBOX moves its messages to a new folder and leaves
   * INBOX empty (RFC 9051 6.3.6).
   */
  async rename(actor: MailboxActor, from: FolderRef, to: string): Promise<void> {
    const target = parseFolderName(to);
    await writeTx(this.ctx, async (t, publish) => {
      const src = await resolveFolder(t, actor, from, 'x');
      const owner = await ownerOf(t, actor, target);
      if (owner !== src.row.ownerId)
        throw new PermissionError("a folder can only be renamed within its owner's tree", {
          imap: { status: 'NO', code: 'CANNOT' },
        });
      if (await folderByName(t, owner, target.name)) throw new ConflictError(`folder ${to} already exists`);
      if (target.name === src.row.name || target.name.startsWith(src.row.name + SEPARATOR)) {
        throw new PermissionError('a folder cannot be moved into itself', {
          imap: { status: 'NO', code: 'CANNOT' },
        });
      }
      const parentName = parentPath(target.name);
      if (owner !== actor.accountId && !actor.system) {
        const parent = parentName === null ? undefined : await folderByName(t, owner, parentName);
        if (!parent || !hasRights(await rightsOn(t, actor, parent), 'k'))
          throw new PermissionError(`no permission to create ${to}`);
      }
      if (src.row.name === 'INBOX' && owner !== SYSTEM_OWNER) {
        const moved = await insertFolder(t, { ownerId: owner, name: target.name, uidnext: src.row.uidnext });
        await t.run(
          'UPDATE mailbox_folders SET message_count = ?, size_bytes = ?, highestmodseq = ? WHERE id = ?',
          [src.row.messageCount, src.row.sizeBytes, src.row.highestModseq + 1, moved.id],
        );
        const next = src.row.highestModseq + 1;
        await t.run(
          'INSERT INTO mailbox_expunged (folder_id, uid, modseq) SELECT folder_id, uid, CAST(? AS BIGINT) FROM mailbox_messages WHERE folder_id = ?',
          [next, src.row.id],
        );
        await t.run('UPDATE mailbox_messages SET folder_id = ?, modseq = ? WHERE folder_id = ?', [
          moved.id,
          next,
          src.row.id,
        ]);
        await t.run(
          'UPDATE mailbox_folders SET message_count = 0, size_bytes = 0, highestmodseq = ? WHERE id = ?',
          [next, src.row.id],
        );
        publish({ kind: 'expunge', folderId: src.row.id, ownerId: owner, modseq: next, uids: null });
        return;
      }
      for (const id of await renameFolderTree(t, owner, src.row.name, target.name)) {
        publish({ kind: 'folder', folderId: id, ownerId: owner, modseq: 0, uids: null });
      }
    });
  }

  async subscribe(actor: MailboxActor, name: string, on: boolean): Promise<void> {
    if (actor.system) throw new PermissionError('the system has no subscriptions');
    if (on) await resolveFolder(this.ctx.db, actor, name, 'l');
    await setSubscribed(this.ctx.db, actor.accountId, name, on);
  }

  async status(actor: MailboxActor, ref: FolderRef): Promise<FolderStatus> {
    const f = await this.resolve(actor, ref, 'r');
    const c = await statusCounts(this.ctx.db, f.row.id, f.row.firstRecentUid);
    return {
      messages: f.row.messageCount,
      unseen: c.unseen,
      deleted: c.deleted,
      recent: c.recent,
      size: f.row.sizeBytes,
      uidnext: f.row.uidnext,
      uidvalidity: f.row.uidvalidity,
      highestModseq: f.row.highestModseq,
    };
  }

  /** SELECT / EXAMINE: the folder's state and every message's uid, flags and modseq in one read. */
  async select(actor: MailboxActor, ref: FolderRef): Promise<SelectSnapshot> {
    const db = this.ctx.db;
    const f = await this.resolve(actor, ref, 'r');
    const rows = await allFlagRows(db, f.row.id);
    const n = rows.length;
    const uids = new Uint32Array(n);
    const flags = new Uint8Array(n);
    const modseqs = new Float64Array(n);
    const keywords = new Map<number, string[]>();
    let highest = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      uids[i] = Number(r.uid);
      flags[i] = Number(r.flags);
      modseqs[i] = Number(r.modseq);
      highest = Math.max(highest, modseqs[i]!);
      if (r.keywords) keywords.set(uids[i]!, decodeKeywords(r.keywords));
    }
    // The folder row was read before the messages: a change committed in between is in the rows.
    const uidnext = Math.max(f.row.uidnext, n ? uids[n - 1]! + 1 : 1);
    return {
      folderId: f.row.id,
      name: f.name,
      uidvalidity: f.row.uidvalidity,
      uidnext,
      highestModseq: Math.max(f.row.highestModseq, highest),
      rights: f.rights,
      readOnly: !['s', 'w', 't', 'e'].some((r) => f.rights.includes(r)),
      uids,
      flags,
      modseqs,
      keywords,
      knownKeywords: await knownKeywords(db, f.row.id),
      firstRecentUid: f.row.firstRecentUid,
    };
  }

  /**
   * IMAP4rev1 \Recent: uids below `uid` have been reported to a session. Called by the shared
   * folder view, which decides which session is first; no rights involved.
   */
  async reportedRecent(folderId: number, uid: number): Promise<void> {
    await advanceFirstRecent(this.ctx.db, folderId, uid);
  }

  async setType(actor: MailboxActor, ref: FolderRef, type: FolderType): Promise<void> {
    await writeTx(this.ctx, async (t) => {
      const f = await resolveFolder(t, actor, ref, 'a');
      await putEntry(
        t,
        { folderId: f.row.id, accountId: SHARED_ENTRY, entry: FOLDER_TYPE_ENTRY },
        type === 'mail' ? null : folderTypeToEntry(type),
      );
    });
  }

  /** Resolves a personal name after making the account's default folders, so INBOX always exists. */
  async resolve(actor: MailboxActor, ref: FolderRef, need: string) {
    if (!actor.system) await this.ensureDefaults(actor.accountId);
    return resolveFolder(this.ctx.db, actor, ref, need);
  }

  /** The name `actor` sees for a folder row. */
  nameOf(actor: MailboxActor, row: FolderRow): Promise<string> {
    return nameFor(this.ctx.db, actor, row);
  }
}
