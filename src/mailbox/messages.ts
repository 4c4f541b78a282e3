import { LimitError, NotFoundError, PermissionError } from '../core/errors.js';
import { addBlobRefs, releaseBlobRefs } from '../store/blobs/blob-refs.js';
import { accountView } from '../store/mailbox/account-view.js';
import type { BlobRef } from '../store/blobs/blob-store.js';
import { adjustUsage, allocate, folderById } from '../store/mailbox/folder-repo.js';
import {
  bodyIdRows,
  changedRows,
  copyRows,
  deleteRows,
  locateMessage,
  locateMessages,
  envelopeWireRows,
  metaRows,
  rowsAtModseq,
  selectForMove,
  uidsChangedAfter,
  updateFlags,
  vanishedUids,
  type FlagRow,
} from '../store/mailbox/message-repo.js';
import { runSearch, sortFieldRows } from '../store/mailbox/search-sql.js';
import type { SqlDb } from '../store/sql.js';
import { resolveFolder } from './access.js';
import { writeTx, type MailboxContext } from './context.js';
import type { MailboxChange } from './events.js';
import { decodeKeywords, flagNames, isValidKeyword, splitFlags } from './flags.js';
import { SYSTEM_OWNER } from './folder-names.js';
import { shiftStructure } from './structure-offsets.js';
import { prepareBody, storeMessage, type PreparedBody } from './message-writer.js';
import { checkQuota } from './quota.js';
import { hasRights } from './rights.js';
import type { SearchKey, SearchResult } from './search-criteria.js';
import { toUidSet, uidSetSql } from './uid-set.js';
import type {
  AppendRequest,
  AppendResult,
  Changes,
  CopyResult,
  FlagUpdate,
  FolderRef,
  MailboxActor,
  MessageMeta,
  SortFields,
  StoreFlagsRequest,
  StoreFlagsResult,
  UidSet,
} from './types.js';

const toUpdate = (r: FlagRow): FlagUpdate => ({
  uid: Number(r.uid),
  flags: flagNames(Number(r.flags), decodeKeywords(r.keywords)),
  modseq: Number(r.modseq),
});

/** The rights a flag change needs (RFC 4314 section 4): s for \Seen, t for \Deleted, w for the rest. */
function rightsForFlags(op: StoreFlagsRequest['op'], flags: readonly string[]): string {
  if (op === 'replace') return 'stw';
  let need = '';
  for (const f of flags) need += /^\\seen$/i.test(f) ? 's' : /^\\deleted$/i.test(f) ? 't' : 'w';
  return need;
}

/** Drops flags the actor may not set (APPEND and COPY keep what they can, as RFC 4314 asks). */
function allowedFlags(rights: string, flags: readonly string[]): string[] {
  return flags.filter((f) => hasRights(rights, rightsForFlags('add', [f])));
}

/** Messages: FETCH, reading bodies, STORE, COPY, MOVE, EXPUNGE, APPEND, SEARCH, changes since a modseq. */
export class MessageService {
  constructor(private readonly ctx: MailboxContext) {}

  /**
   * Per-message data of the given uids. `structure: true` adds the cached ENVELOPE and
   * BODYSTRUCTURE; `envelope: true` the ENVELOPE alone (the body structure is the larger column).
   */
  async fetch(
    actor: MailboxActor,
    ref: FolderRef,
    uids: UidSet,
    opts: { structure?: boolean; envelope?: boolean } = {},
  ): Promise<MessageMeta[]> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    const columns = opts.structure ? 'both' : opts.envelope ? 'envelope' : 'none';
    const rows = await metaRows(this.ctx.db, f.row.id, uids, columns);
    return rows.map((r) => {
      const meta: MessageMeta = {
        uid: Number(r.uid),
        messageId: Number(r.id),
        emailId: `M${r.body_id}`,
        threadId: `T${r.thread_id}`,
        flags: flagNames(Number(r.flags), decodeKeywords(r.keywords)),
        modseq: Number(r.modseq),
        internalDate: Number(r.internal_date),
        size: Number(r.size),
        prefixLength: Number(r.prefix_length),
      };
      if (columns !== 'none') meta.envelope = r.envelope ? JSON.parse(r.envelope) : null;
      if (columns === 'both')
        meta.bodyStructure = r.body_structure
          ? shiftStructure(JSON.parse(r.body_structure), meta.prefixLength)
          : null;
      return meta;
    });
  }

  /** The body id of each uid, in uid order: per-body data (ENVELOPE) can be cached by it. */
  async bodyIds(
    actor: MailboxActor,
    ref: FolderRef,
    uids: UidSet,
  ): Promise<Array<{ uid: number; bodyId: number }>> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    return (await bodyIdRows(this.ctx.db, f.row.id, uids)).map((r) => ({
      uid: Number(r.uid),
      bodyId: Number(r.body_id),
    }));
  }

  /**
   * The ENVELOPE of each uid as the wire layer encoded it at delivery, by body id; null for a
   * body stored before envelopes were kept encoded (see `fetch` for the parsed form).
   */
  async envelopeWires(
    actor: MailboxActor,
    ref: FolderRef,
    uids: UidSet,
  ): Promise<Array<{ uid: number; bodyId: number; wire: Buffer | null }>> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    return (await envelopeWireRows(this.ctx.db, f.row.id, uids)).map((r) => ({
      uid: Number(r.uid),
      bodyId: Number(r.body_id),
      wire: r.envelope_wire ? Buffer.from(r.envelope_wire) : null,
    }));
  }

  private async locate(actor: MailboxActor, ref: FolderRef, uid: number) {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    const loc = await locateMessage(this.ctx.db, f.row.id, uid);
    if (!loc) throw new NotFoundError(`message ${uid}`, { imap: { status: 'NO', code: 'EXPUNGEISSUED' } });
    return loc;
  }

  /** Bytes [start, end) of the message as clients see it: prefix, then the blob. */
  async read(
    actor: MailboxActor,
    ref: FolderRef,
    uid: number,
    range?: { start: number; end: number },
  ): Promise<Buffer> {
    const loc = await this.locate(actor, ref, uid);
    const start = Math.max(0, range?.start ?? 0);
    const end = Math.min(loc.size, range?.end ?? loc.size);
    if (end <= start) return Buffer.alloc(0);
    const head = loc.prefix.subarray(Math.min(start, loc.prefix.length), Math.min(end, loc.prefix.length));
    const bStart = Math.max(0, start - loc.prefix.length);
    const bEnd = end - loc.prefix.length;
    if (bEnd <= 0) return Buffer.from(head);
    const body =
      bStart === 0 && bEnd >= loc.size - loc.prefix.length
        ? await this.ctx.blobs.get(loc.hash, loc.volume || undefined)
        : await this.ctx.blobs.read(loc.hash, bStart, bEnd, loc.volume || undefined);
    return head.length ? Buffer.concat([head, body]) : body;
  }

  /**
   * Several whole messages at once (POP3 reads ahead of pipelined RETRs): one rights check, one
   * query for where they are and one blob read per volume for all. Uids no longer in the folder
   * are left out.
   */
  async readMany(actor: MailboxActor, ref: FolderRef, uids: readonly number[]): Promise<Map<number, Buffer>> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    const locs = await locateMessages(this.ctx.db, f.row.id, uids);
    const byVolume = new Map<string, string[]>();
    for (const loc of locs.values()) {
      const hashes = byVolume.get(loc.volume);
      if (hashes) hashes.push(loc.hash);
      else byVolume.set(loc.volume, [loc.hash]);
    }
    const bodies = new Map<string, Map<string, Buffer>>();
    await Promise.all(
      [...byVolume].map(async ([volume, hashes]) =>
        bodies.set(volume, await this.ctx.blobs.getMany(hashes, volume || undefined)),
      ),
    );
    const out = new Map<number, Buffer>();
    for (const [uid, loc] of locs) {
      const body = bodies.get(loc.volume)!.get(loc.hash);
      if (!body) throw new NotFoundError(`blob ${loc.hash}`);
      out.set(uid, loc.prefix.length ? Buffer.concat([loc.prefix, body]) : body);
    }
    return out;
  }

  /**
   * The message, or the bytes `[start, end)` of it, as chunks of at most `chunkSize` bytes (the
   * per-recipient prefix, read with the location, in one), for streaming with backpressure;
   * `size` is the length of what the chunks hold.
   */
  async open(
    actor: MailboxActor,
    ref: FolderRef,
    uid: number,
    range?: { start: number; end: number },
    chunkSize = 256 * 1024,
  ): Promise<{ size: number; chunks: AsyncIterable<Buffer> }> {
    const loc = await this.locate(actor, ref, uid);
    const blobs = this.ctx.blobs;
    const prefix = loc.prefix;
    const start = Math.min(loc.size, Math.max(0, range?.start ?? 0));
    const end = Math.max(start, Math.min(loc.size, range?.end ?? loc.size));
    const blobSize = loc.size - prefix.length;
    async function* chunks() {
      if (start < prefix.length) yield prefix.subarray(start, Math.min(end, prefix.length));
      // Offsets into the blob, past the per-recipient prefix.
      const from = Math.max(0, start - prefix.length);
      const to = end - prefix.length;
      if (to <= from) return;
      if (from === 0 && to === blobSize && blobSize <= chunkSize) {
        yield await blobs.get(loc.hash, loc.volume || undefined);
        return;
      }
      for (let at = from; at < to; at += chunkSize)
        yield await blobs.read(loc.hash, at, Math.min(to, at + chunkSize), loc.volume || undefined);
    }
    return { size: end - start, chunks: chunks() };
  }

  /** STORE in bulk: a few statements whatever the number of messages; every change gets one new modseq. */
  async storeFlags(
    actor: MailboxActor,
    ref: FolderRef,
    uids: UidSet,
    req: StoreFlagsRequest,
  ): Promise<StoreFlagsResult> {
    const bad = req.flags.find((f) => !f.startsWith('\\') && !isValidKeyword(f));
    if (bad) throw new PermissionError(`invalid keyword ${bad}`, { imap: { status: 'BAD' } });
    return writeTx(this.ctx, async (t, publish) => {
      const f = await resolveFolder(t, actor, ref, rightsForFlags(req.op, req.flags));
      const modified =
        req.unchangedSince === undefined ? [] : await uidsChangedAfter(t, f.row.id, uids, req.unchangedSince);
      const { modseq } = await allocate(t, f.row.id, 0);
      const { bits, keywords } = splitFlags(req.flags);
      await updateFlags(t, f.row.id, uids, req.op, bits, keywords, modseq, req.unchangedSince);
      const updated = (await rowsAtModseq(t, f.row.id, modseq)).map(toUpdate);
      if (updated.length)
        publish({
          kind: 'flags',
          folderId: f.row.id,
          ownerId: f.row.ownerId,
          modseq,
          uids: toUidSet(updated.map((u) => u.uid)),
        });
      return { modseq, updated, modified };
    });
  }

  /** COPY (`r` on the source, `i` on the target): new uids in order, COPYUID mapping. */
  async copy(actor: MailboxActor, from: FolderRef, uids: UidSet, to: FolderRef): Promise<CopyResult> {
    return writeTx(this.ctx, (t, publish) => this.copyIn(t, actor, from, uids, to, 'r', publish));
  }

  /** MOVE (RFC 6851): copy, then expunge from the source in the same transaction. */
  async move(
    actor: MailboxActor,
    from: FolderRef,
    uids: UidSet,
    to: FolderRef,
  ): Promise<CopyResult & { expunged: number[] }> {
    return writeTx(this.ctx, async (t, publish) => {
      const copied = await this.copyIn(t, actor, from, uids, to, 'rte', publish);
      const src = await resolveFolder(t, actor, from, 'rte');
      const { expunged } = await this.expungeIn(
        t,
        src.row,
        copied.mapping.map(([s]) => s),
        publish,
      );
      return { ...copied, expunged };
    });
  }

  private async copyIn(
    t: SqlDb,
    actor: MailboxActor,
    from: FolderRef,
    uids: UidSet,
    to: FolderRef,
    need: string,
    publish: (c: MailboxChange) => void,
  ): Promise<CopyResult> {
    const src = await resolveFolder(t, actor, from, need);
    const dst = await resolveFolder(t, actor, to, 'i');
    const rows = await selectForMove(t, src.row.id, uids, false);
    if (!rows.length) return { uidvalidity: dst.row.uidvalidity, mapping: [] };
    const bytes = rows.reduce((s, r) => s + Number(r.size), 0);
    await checkQuota(t, dst.row, bytes, rows.length);
    const { firstUid, modseq } = await allocate(t, dst.row.id, rows.length);
    const srcUids = rows.map((r) => Number(r.uid));
    await copyRows(t, src.row.id, srcUids, dst.row.id, firstUid, modseq);
    const perHash = new Map<string, number>();
    for (const r of rows) perHash.set(r.hash, (perHash.get(r.hash) ?? 0) + 1);
    for (const [hash, n] of perHash) await addBlobRefs(t, { hash, size: 0 }, n);
    await adjustUsage(t, dst.row, rows.length, bytes);
    await this.dropUnpermittedFlags(t, dst.rights, dst.row.id, modseq);
    publish({
      kind: 'new',
      folderId: dst.row.id,
      ownerId: dst.row.ownerId,
      modseq,
      uids: [[firstUid, firstUid + rows.length - 1]],
    });
    return { uidvalidity: dst.row.uidvalidity, mapping: srcUids.map((u, i) => [u, firstUid + i]) };
  }

  /** Copies into a folder keep only the flags the actor could set there. */
  private async dropUnpermittedFlags(
    t: SqlDb,
    rights: string,
    folderId: number,
    modseq: number,
  ): Promise<void> {
    let keep = 0xff;
    if (!rights.includes('s')) keep &= ~1;
    if (!rights.includes('t')) keep &= ~8;
    if (!rights.includes('w')) keep &= 1 | 8;
    if (keep !== 0xff)
      await t.run(
        `UPDATE mailbox_messages SET flags = flags & ?${rights.includes('w') ? '' : ", keywords = ''"} WHERE folder_id = ? AND modseq = ?`,
        [keep, folderId, modseq],
      );
  }

  /** EXPUNGE (`e`): removes \Deleted messages, all of them or those in `uids` (UID EXPUNGE). */
  async expunge(
    actor: MailboxActor,
    ref: FolderRef,
    uids?: UidSet,
  ): Promise<{ expunged: number[]; modseq: number }> {
    return writeTx(this.ctx, async (t, publish) => {
      const f = await resolveFolder(t, actor, ref, 'e');
      const rows = await selectForMove(t, f.row.id, uids ?? null, true);
      const r = await this.expungeIn(
        t,
        f.row,
        rows.map((x) => Number(x.uid)),
        publish,
      );
      return { expunged: r.expunged, modseq: r.modseq ?? f.row.highestModseq };
    });
  }

  private async expungeIn(
    t: SqlDb,
    folder: { id: number; ownerId: number },
    uids: number[],
    publish: (c: MailboxChange) => void,
  ): Promise<{ expunged: number[]; modseq?: number }> {
    if (!uids.length) return { expunged: [] };
    const set = toUidSet(uids);
    const rows = await selectForMove(t, folder.id, set, false);
    const { modseq } = await allocate(t, folder.id, 0);
    await deleteRows(
      t,
      folder.id,
      rows.map((r) => Number(r.uid)),
      modseq,
    );
    const perHash = new Map<string, number>();
    for (const r of rows) perHash.set(r.hash, (perHash.get(r.hash) ?? 0) + 1);
    for (const [hash, n] of perHash) await releaseBlobRefs(t, hash, n);
    await adjustUsage(t, folder, -rows.length, -rows.reduce((s, r) => s + Number(r.size), 0));
    publish({ kind: 'expunge', folderId: folder.id, ownerId: folder.ownerId, modseq, uids: set });
    return { expunged: rows.map((r) => Number(r.uid)), modseq };
  }

  /** APPEND (`i`): the bytes go to the blob store first, then one transaction stores the message. */
  async append(actor: MailboxActor, ref: FolderRef, req: AppendRequest): Promise<AppendResult> {
    const [r] = await this.appendMany(actor, ref, [req]);
    return r!;
  }

  /**
   * MULTIAPPEND (RFC 3502): every message's bytes go to the blob store first, one after the
   * other (each may be a stream), then one transaction stores them all, or none when one fails.
   */
  async appendMany(
    actor: MailboxActor,
    ref: FolderRef,
    reqs: readonly AppendRequest[],
  ): Promise<AppendResult[]> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'i');
    const limit = this.ctx.config.get<number>('mailbox.append_limit');
    const owner = f.row.ownerId === SYSTEM_OWNER ? undefined : await accountView(this.ctx.db, f.row.ownerId);
    const volume = owner?.blobVolume ?? '';
    const prepared: Array<{ req: AppendRequest; blob: BlobRef; body: PreparedBody }> = [];
    for (const req of reqs) {
      const blob = await this.ctx.blobs.put(
        Buffer.isBuffer(req.data) ? req.data : limitStream(req.data, limit),
        volume || undefined,
      );
      if (blob.size > limit)
        throw new LimitError(`message larger than the append limit (${limit} bytes)`, {
          imap: { status: 'NO', code: 'TOOBIG' },
        });
      prepared.push({ req, blob, body: await prepareBody(this.ctx, blob, volume) });
    }
    return writeTx(this.ctx, async (t, publish) => {
      const again = await resolveFolder(t, actor, ref, 'i');
      const out: AppendResult[] = [];
      for (const { req, blob, body } of prepared) {
        const r = await storeMessage(
          t,
          again.row,
          body,
          {
            blob,
            volume,
            prefix: Buffer.alloc(0),
            flags: allowedFlags(again.rights, req.flags ?? []),
            internalDate: req.internalDate ?? Date.now(),
          },
          publish,
        );
        // The folder row's uid and modseq counters moved: the next message reads them again.
        again.row = (await folderById(t, again.row.id)) ?? again.row;
        out.push({ uidvalidity: again.row.uidvalidity, uid: r.uid, messageId: r.messageId });
      }
      return out;
    });
  }

  async search(actor: MailboxActor, ref: FolderRef, key: SearchKey): Promise<SearchResult> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    const rows = await runSearch(this.ctx.db, f.row.id, key);
    let highestModseq = 0;
    for (const r of rows) highestModseq = Math.max(highestModseq, Number(r.modseq));
    return { uids: rows.map((r) => Number(r.uid)), highestModseq };
  }

  /** What SORT and THREAD order by, read from the fields cached at delivery. */
  async sortFields(actor: MailboxActor, ref: FolderRef, uids: UidSet): Promise<SortFields[]> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    const out: SortFields[] = [];
    for (const c of uidSetSql('m.uid', uids)) {
      for (const r of await sortFieldRows(this.ctx.db, f.row.id, c)) {
        out.push({
          uid: Number(r.uid),
          internalDate: Number(r.internal_date),
          sentDate: r.sent_date === null ? null : Number(r.sent_date),
          size: Number(r.size),
          from: String(r.from_addr),
          to: String(r.to_addr),
          cc: String(r.cc_addr),
          subject: String(r.subject),
          messageId: String(r.message_id),
          inReplyTo: String(r.in_reply_to),
          references: String(r.refs),
        });
      }
    }
    return out;
  }

  /** CONDSTORE / QRESYNC: flag changes and expunges after `modseq`. */
  async changesSince(actor: MailboxActor, ref: FolderRef, modseq: number): Promise<Changes> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'r');
    const changed = (await changedRows(this.ctx.db, f.row.id, modseq)).map(toUpdate);
    const vanished = toUidSet(await vanishedUids(this.ctx.db, f.row.id, modseq));
    return { highestModseq: f.row.highestModseq, changed, vanished };
  }
}

/** Passes chunks through until more than `limit` bytes went by, then stops with a LimitError. */
async function* limitStream(data: AsyncIterable<Buffer>, limit: number): AsyncIterable<Buffer> {
  let n = 0;
  for await (const c of data) {
    n += c.length;
    if (n > limit)
      throw new LimitError(`message larger than the append limit (${limit} bytes)`, {
        imap: { status: 'NO', code: 'TOOBIG' },
      });
    yield c;
  }
}
