import { addBlobRefs } from '../store/blobs/blob-refs.js';
import type { BlobRef } from '../store/blobs/blob-store.js';
import { bodyIdByHash, insertBody, threadOf } from '../store/mailbox/body-repo.js';
import { adjustUsage, allocate, type FolderRow } from '../store/mailbox/folder-repo.js';
import { insertMessage } from '../store/mailbox/message-repo.js';
import type { SqlDb } from '../store/sql.js';
import type { BodyParser, MailboxContext, ParsedBody, ParsedStructure, StructureParser } from './context.js';
import type { MailboxChange } from './events.js';
import { splitFlags } from './flags.js';
import { indexMessage, referencedIds } from './indexer.js';
import { checkQuota } from './quota.js';

/** A body parsed before the transaction (parsing is slow; transactions must be short). */
export type PreparedBody =
  { kind: 'known'; bodyId: number; refs: string[] } | ({ kind: 'new'; refs: string[] } & ParsedBody);

/** Parses a blob unless an earlier delivery of the same blob already did (100 recipients, one parse). */
export async function prepareBody(ctx: MailboxContext, blob: BlobRef, volume: string): Promise<PreparedBody> {
  const known = await ctx.db.get<{ id: number; in_reply_to: string; refs: string }>(
    'SELECT id, in_reply_to, refs FROM mailbox_bodies WHERE hash = ?',
    [blob.hash],
  );
  if (known)
    return {
      kind: 'known',
      bodyId: Number(known.id),
      refs: referencedIds({ inReplyTo: known.in_reply_to, references: known.refs }),
    };
  const raw = await ctx.blobs.get(blob.hash, volume || undefined);
  const here = bodyParser(ctx.parseStructure);
  // Parsing never fails on a message, so a failure elsewhere is the other thread's (it ended).
  const { indexed, structure } = ctx.parseElsewhere
    ? await ctx.parseElsewhere(raw).catch(() => here(raw))
    : await here(raw);
  return { kind: 'new', indexed, structure, refs: referencedIds(indexed) };
}

/** The parse delivery stores, made by `parseStructure` (the IMAP layer's, on whichever thread). */
export function bodyParser(parseStructure: StructureParser | undefined): BodyParser {
  return async (raw) => ({ indexed: await indexMessage(raw), structure: parseOrNull(parseStructure, raw) });
}

/** The stored parse of a message, or null when there is no parser or it cannot read the message. */
export function parseOrNull(parse: StructureParser | undefined, raw: Buffer): ParsedStructure | null {
  try {
    return parse?.(raw) ?? null;
  } catch {
    // A structure the parser cannot read is computed by the IMAP layer on demand instead.
    return null;
  }
}

export interface StoreMessageRequest {
  blob: BlobRef;
  /** The blob's volume for a new reference ('' keeps whatever the blob row says). */
  volume: string;
  prefix: Buffer;
  flags: readonly string[];
  internalDate: number;
}

/**
 * Stores one message in a folder inside the caller's transaction: quota check, uid and modseq,
 * the body row (once per blob), the blob reference, usage counters, the change event.
 */
export async function storeMessage(
  db: SqlDb,
  folder: FolderRow,
  body: PreparedBody,
  req: StoreMessageRequest,
  publish: (c: MailboxChange) => void,
): Promise<{ uid: number; messageId: number; modseq: number }> {
  const size = req.prefix.length + req.blob.size;
  await checkQuota(db, folder, size, 1);
  let bodyId = body.kind === 'known' ? body.bodyId : await bodyIdByHash(db, req.blob.hash);
  if (bodyId === undefined && body.kind === 'new')
    bodyId = await insertBody(db, req.blob.hash, body.indexed, body.structure);
  const threadId = (await threadOf(db, folder.ownerId, body.refs)) ?? null;
  const { firstUid: uid, modseq } = await allocate(db, folder.id, 1);
  const { bits, keywords } = splitFlags(req.flags);
  const messageId = await insertMessage(db, {
    folderId: folder.id,
    uid,
    modseq,
    flags: bits,
    keywords,
    bodyId: bodyId!,
    prefix: req.prefix,
    size,
    internalDate: req.internalDate,
    threadId,
  });
  await addBlobRefs(db, req.blob, 1, req.volume);
  await adjustUsage(db, folder, 1, size);
  publish({ kind: 'new', folderId: folder.id, ownerId: folder.ownerId, modseq, uids: [[uid, uid]] });
  return { uid, messageId, modseq };
}
