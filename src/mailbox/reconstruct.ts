import { NotFoundError } from '../core/errors.js';
import { setUsedBytes } from '../store/mailbox/account-view.js';
import { fullTextSettled, reindexBody, updateStructure } from '../store/mailbox/body-repo.js';
import { folderByName, foldersOf, ownerUsage, type FolderRow } from '../store/mailbox/folder-repo.js';
import type { MailboxContext } from './context.js';
import { canonicalName } from './folder-names.js';
import { indexMessage } from './indexer.js';
import { parseOrNull } from './message-writer.js';

export interface FolderRepair {
  folder: string;
  messages: number;
  bytes: number;
  /** What was wrong and has been set right. */
  fixed: string[];
  /** UIDs whose body is missing from the blob store (cannot be repaired here). */
  missingBlobs: number[];
  reindexed: number;
}

/**
 * Cyrus-style reconstruct of one account's folders (or one folder): recounts messages and sizes,
 * raises UIDNEXT and HIGHESTMODSEQ above what the messages and expunge records use, checks every
 * body is in the blob store, rebuilds header rows, full-text rows and the stored parse (ENVELOPE,
 * BODYSTRUCTURE) from the blobs, and sets the account's used bytes to the recount.
 */
export async function reconstruct(
  ctx: MailboxContext,
  ownerId: number,
  folder?: string,
): Promise<FolderRepair[]> {
  const { db } = ctx;
  let folders: FolderRow[];
  if (folder === undefined) folders = await foldersOf(db, ownerId);
  else {
    const row = await folderByName(db, ownerId, canonicalName(folder));
    if (!row) throw new NotFoundError(`folder ${folder}`);
    folders = [row];
  }
  const out: FolderRepair[] = [];
  for (const f of folders) {
    const fixed: string[] = [];
    const c = await db.get<Record<string, unknown>>(
      'SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes, COALESCE(MAX(uid), 0) AS maxuid, COALESCE(MAX(modseq), 0) AS maxmod FROM mailbox_messages WHERE folder_id = ?',
      [f.id],
    );
    const e = await db.get<Record<string, unknown>>(
      'SELECT COALESCE(MAX(uid), 0) AS maxuid, COALESCE(MAX(modseq), 0) AS maxmod FROM mailbox_expunged WHERE folder_id = ?',
      [f.id],
    );
    const n = Number(c!.n);
    const bytes = Number(c!.bytes);
    const uidnext = Math.max(f.uidnext, Number(c!.maxuid) + 1, Number(e!.maxuid) + 1);
    const modseq = Math.max(f.highestModseq, Number(c!.maxmod), Number(e!.maxmod));
    if (n !== f.messageCount || bytes !== f.sizeBytes)
      fixed.push(`counts ${f.messageCount}/${f.sizeBytes} -> ${n}/${bytes}`);
    if (uidnext !== f.uidnext) fixed.push(`uidnext ${f.uidnext} -> ${uidnext}`);
    if (modseq !== f.highestModseq) fixed.push(`highestmodseq ${f.highestModseq} -> ${modseq}`);
    if (fixed.length) {
      await db.run(
        'UPDATE mailbox_folders SET message_count = ?, size_bytes = ?, uidnext = ?, highestmodseq = ? WHERE id = ?',
        [n, bytes, uidnext, modseq, f.id],
      );
    }
    const bodies = await db.all<{ body_id: number; hash: string; volume: string | null; uid: number }>(
      `SELECT m.body_id, b.hash, bl.volume, MIN(m.uid) AS uid FROM mailbox_messages m
         JOIN mailbox_bodies b ON b.id = m.body_id LEFT JOIN blobs bl ON bl.hash = b.hash
       WHERE m.folder_id = ? GROUP BY m.body_id, b.hash, bl.volume`,
      [f.id],
    );
    const missing: number[] = [];
    let reindexed = 0;
    for (const b of bodies) {
      const volume = b.volume || undefined;
      if (!(await ctx.blobs.has(b.hash, volume))) {
        const uids = await db.all<{ uid: number }>(
          'SELECT uid FROM mailbox_messages WHERE folder_id = ? AND body_id = ?',
          [f.id, b.body_id],
        );
        missing.push(...uids.map((u) => Number(u.uid)));
        continue;
      }
      const raw = await ctx.blobs.get(b.hash, volume);
      const indexed = await indexMessage(raw);
      const structure = ctx.parseStructure ? parseOrNull(ctx.parseStructure, raw) : undefined;
      await db.tx(async (t) => {
        await reindexBody(t, Number(b.body_id), indexed);
        if (structure !== undefined) await updateStructure(t, Number(b.body_id), structure);
      });
      reindexed++;
    }
    // The texts wait in memory until written: one folder's worth at most.
    await fullTextSettled(db);
    out.push({
      folder: f.name,
      messages: n,
      bytes,
      fixed,
      missingBlobs: missing.sort((a, b) => a - b),
      reindexed,
    });
  }
  if (ownerId !== 0) await setUsedBytes(db, ownerId, (await ownerUsage(db, ownerId)).bytes);
  return out;
}
