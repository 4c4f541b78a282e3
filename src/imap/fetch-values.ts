import { MailsteadError } from '../core/errors.js';
import type { MessageMeta } from '../mailbox/types.js';
import type { FetchAttribute } from './proto/parser/fetch.js';
import type { FetchValue } from './proto/protocol/fetch.js';
import { applyPartial, extractBinary, extractSection } from './proto/section.js';
import {
  parseStructure,
  type BodyStructure,
  type Envelope,
  type MessageStructure,
} from './proto/structure.js';
import { SYSTEM_FLAG_SETS } from './selected-mailbox.js';
import type { ImapSession } from './session.js';

/** What a FETCH needs from the store, decided once per command. */
export interface FetchPlan {
  /** Per-message data beyond uid, flags and modseq (dates, sizes, ids). */
  meta: boolean;
  /** The cached ENVELOPE. */
  envelope: boolean;
  /** The cached BODYSTRUCTURE (BODY, BODYSTRUCTURE, and sections of the content). */
  structure: boolean;
  /** Message bytes: 'header' when only top-level header sections are asked for. */
  content: 'none' | 'header' | 'all';
  /** BODY[...] or BINARY[...] without .PEEK, RFC822 or RFC822.TEXT: sets \Seen. */
  setsSeen: boolean;
}

const META_ITEMS = new Set(['INTERNALDATE', 'RFC822.SIZE', 'EMAILID', 'THREADID', 'SAVEDATE']);
const STRUCTURE_ITEMS = new Set(['BODY', 'BODYSTRUCTURE']);

function isHeaderOnly(a: FetchAttribute): boolean {
  if (a.item === 'RFC822.HEADER') return true;
  return (
    a.item === 'BODY[]' && a.section.part.length === 0 && (a.section.text?.startsWith('HEADER') ?? false)
  );
}

function needsContent(a: FetchAttribute): boolean {
  return (
    a.item === 'BODY[]' ||
    a.item === 'BINARY[]' ||
    a.item === 'BINARY.SIZE' ||
    a.item === 'RFC822' ||
    a.item === 'RFC822.HEADER' ||
    a.item === 'RFC822.TEXT'
  );
}

export function planFetch(attrs: readonly FetchAttribute[]): FetchPlan {
  const content = attrs.filter(needsContent);
  const structure =
    attrs.some((a) => STRUCTURE_ITEMS.has(a.item)) || content.some((a) => a.item !== 'RFC822');
  const envelope = attrs.some((a) => a.item === 'ENVELOPE');
  return {
    meta: structure || envelope || content.length > 0 || attrs.some((a) => META_ITEMS.has(a.item)),
    envelope,
    structure,
    content: content.length === 0 ? 'none' : content.every(isHeaderOnly) ? 'header' : 'all',
    setsSeen: attrs.some(
      (a) =>
        ((a.item === 'BODY[]' || a.item === 'BINARY[]') && !a.peek) ||
        a.item === 'RFC822' ||
        a.item === 'RFC822.TEXT',
    ),
  };
}

/** `FLAGS (...)` of every combination of system flag bits and \Recent, made once. */
const FLAGS_BYTES = SYSTEM_FLAG_SETS.map((names) => Buffer.from(`FLAGS (${names.join(' ')})`, 'latin1'));

/**
 * `* n FETCH (...)` of items the view holds (UID, FLAGS, MODSEQ) and an already encoded ENVELOPE
 * for message index `i`, written straight into the response: `UID FETCH 1:* (FLAGS)` of a large
 * folder makes no object per message.
 */
export function writeCachedFetch(
  s: ImapSession,
  i: number,
  attrs: readonly FetchAttribute[],
  envelope?: string,
): void {
  const sel = s.selected!;
  const w = s.w;
  w.raw('* ')
    .number(i + 1)
    .raw(' FETCH (');
  let first = true;
  for (const a of attrs) {
    const item = a.item;
    // A message whose envelope could not be parsed at delivery has none to show.
    if (item === 'ENVELOPE' && envelope === undefined) continue;
    if (!first) w.sp();
    first = false;
    if (item === 'ENVELOPE') w.raw('ENVELOPE ').raw(envelope!);
    else if (item === 'UID') w.raw('UID ').number(sel.uids[i]!);
    else if (item === 'MODSEQ') w.raw('MODSEQ (').number(sel.modseqs[i]!).raw(')');
    else if (sel.keywords.size && sel.keywords.has(sel.uids[i]!)) w.raw('FLAGS ').flags(sel.flagsAt(i));
    else w.bytes(FLAGS_BYTES[sel.bitsAt(i)]!);
  }
  w.raw(')\r\n');
}

/** UID, FLAGS and MODSEQ come from the session's view; null for any other item. */
export function cachedValue(s: ImapSession, i: number, a: FetchAttribute): FetchValue | null {
  const sel = s.selected!;
  if (a.item === 'UID') return { item: 'UID', value: sel.uids[i]! };
  if (a.item === 'FLAGS') return { item: 'FLAGS', flags: sel.flagsAt(i) };
  if (a.item === 'MODSEQ') return { item: 'MODSEQ', value: sel.modseqs[i]! };
  return null;
}

/** The values of one message, in the order asked for. */
export async function fetchValues(
  s: ImapSession,
  i: number,
  attrs: readonly FetchAttribute[],
  plan: FetchPlan,
  meta: MessageMeta | undefined,
): Promise<FetchValue[]> {
  const sel = s.selected!;
  const uid = sel.uids[i]!;
  let message: MessageStructure | undefined;
  let raw: Buffer | undefined;
  if (plan.content !== 'none' && meta) {
    const st = meta.bodyStructure as BodyStructure | null;
    const range = plan.content === 'header' && st ? { start: 0, end: st.bodyStart } : undefined;
    raw = await s.app.mailbox.messages.read(s.actor!, { id: sel.folderId }, uid, range);
    // RFC822 alone needs no structure; sections need it, parsed here only when none was cached.
    if (plan.structure)
      message = st ? { envelope: meta.envelope as Envelope, body: st, size: meta.size } : parseStructure(raw);
  }
  const out: FetchValue[] = [];
  for (const a of attrs) {
    const cached = cachedValue(s, i, a);
    if (cached) {
      out.push(cached);
      continue;
    }
    switch (a.item) {
      case 'INTERNALDATE':
        if (meta) out.push({ item: 'INTERNALDATE', date: new Date(meta.internalDate) });
        break;
      case 'SAVEDATE':
        out.push({ item: 'SAVEDATE', date: null });
        break;
      case 'RFC822.SIZE':
        if (meta) out.push({ item: 'RFC822.SIZE', value: meta.size });
        break;
      case 'EMAILID':
      case 'THREADID':
        if (meta) out.push({ item: a.item, id: a.item === 'EMAILID' ? meta.emailId : meta.threadId });
        break;
      case 'ENVELOPE':
        if (meta?.envelope) out.push({ item: 'ENVELOPE', envelope: meta.envelope as Envelope });
        break;
      case 'BODY':
      case 'BODYSTRUCTURE':
        if (meta?.bodyStructure) out.push({ item: a.item, body: meta.bodyStructure as BodyStructure });
        break;
      case 'RFC822':
        if (raw) out.push({ item: 'RFC822', data: raw });
        break;
      case 'RFC822.HEADER':
      case 'RFC822.TEXT':
        if (raw && message)
          out.push({
            item: a.item,
            data: extractSection(raw, message, {
              part: [],
              text: a.item === 'RFC822.HEADER' ? 'HEADER' : 'TEXT',
              fields: [],
            }),
          });
        break;
      case 'BODY[]':
        if (raw && message) {
          const data = extractSection(raw, message, a.section);
          out.push({
            item: 'BODY[]',
            section: a.section,
            data: data && applyPartial(data, a.partial),
            ...(a.partial ? { origin: a.partial.offset } : {}),
          });
        }
        break;
      case 'BINARY[]':
      case 'BINARY.SIZE':
        if (raw && message) {
          const data = extractBinary(raw, message, a.part);
          if (data === undefined)
            throw new MailsteadError('Unknown Content-Transfer-Encoding', {
              imap: { status: 'NO', code: 'UNKNOWN-CTE' },
            });
          if (a.item === 'BINARY.SIZE')
            out.push({ item: 'BINARY.SIZE', part: a.part, size: data?.length ?? 0 });
          else
            out.push({
              item: 'BINARY[]',
              part: a.part,
              data: data && applyPartial(data, a.partial),
              ...(a.partial ? { origin: a.partial.offset } : {}),
            });
        }
        break;
    }
  }
  return out;
}
