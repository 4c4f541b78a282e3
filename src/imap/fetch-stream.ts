import { MailsteadError } from '../core/errors.js';
import type { MessageMeta } from '../mailbox/types.js';
import { fetchValues, planFetch } from './fetch-values.js';
import { formatSection, type FetchAttribute, type Partial } from './proto/parser/fetch.js';
import { writeValue, type FetchValue } from './proto/protocol/fetch.js';
import {
  applyPartial,
  filterHeader,
  locateBinary,
  locateSection,
  NO_ENCODING,
  transferDecoder,
} from './proto/section.js';
import type { BodyStructure, Envelope, MessageStructure } from './proto/structure.js';
import type { ImapSession } from './session.js';

/**
 * Messages above this size have their message bytes read by range and streamed. A body sent
 * whole waits encrypted in the connection's TLS buffer until the client reads it: under the
 * 50-user load, sessions fetching 1 MB messages held tens of MiB that way (docs/performance.md).
 */
export const STREAM_OVER = 256 * 1024;

/** The message as stored, from BODY[], BINARY[] (no section) and RFC822: no structure needed. */
function isWhole(a: FetchAttribute): boolean {
  return (
    a.item === 'RFC822' ||
    (a.item === 'BODY[]' && !a.section.part.length && !a.section.text) ||
    (a.item === 'BINARY[]' && !a.part.length)
  );
}

/**
 * Whether `fetchLarge` can answer these items for this message: it is large, and the structure
 * was stored if a section needs it (the slow path parses the message when none was).
 */
export function streamsLarge(attrs: readonly FetchAttribute[], meta: MessageMeta): boolean {
  if (meta.size <= STREAM_OVER || planFetch(attrs).content === 'none') return false;
  return !!meta.bodyStructure || planFetch(attrs.filter((a) => !isWhole(a))).content === 'none';
}

/** Bytes `[start, end)` of the message, sent as a literal after `label`, decoded when `decode`. */
interface Slice {
  label: string;
  start: number;
  end: number;
  /** A transfer encoding to undo (BINARY of a base64 or quoted-printable part). */
  decode?: string;
  partial?: Partial;
  /** literal8: BINARY's bytes may hold a NUL, which is not known before they are read. */
  binary: boolean;
}

/** What goes at one item's place in the response: a value already made, or a slice to stream. */
type Piece = { value: FetchValue } | { slice: Slice } | { binarySize: { part: number[]; slice: Slice } };

const UNKNOWN_CTE = () =>
  new MailsteadError('Unknown Content-Transfer-Encoding', { imap: { status: 'NO', code: 'UNKNOWN-CTE' } });

/**
 * `* n FETCH (...)` of a large message with every item that needs message bytes found from the
 * stored structure and read by range: BODY[section], BINARY[part] and partials read only their
 * bytes, and those are streamed from the blob store in chunks, each sent before the next is read,
 * so a section of a 50 MB message is never held whole. A base64 or quoted-printable BINARY part
 * is decoded twice, chunk by chunk: once for the literal's length, once to send it.
 */
export async function fetchLarge(
  s: ImapSession,
  i: number,
  attrs: readonly FetchAttribute[],
  meta: MessageMeta,
  flagsChanged: boolean,
): Promise<void> {
  const sel = s.selected!;
  const structure: MessageStructure | undefined = meta.bodyStructure
    ? { envelope: meta.envelope as Envelope, body: meta.bodyStructure as BodyStructure, size: meta.size }
    : undefined;
  const pieces: Piece[] = [];
  for (const a of attrs) {
    const piece = await pieceOf(s, i, a, meta, structure);
    if (piece) pieces.push(piece);
  }
  if (flagsChanged && !attrs.some((a) => a.item === 'FLAGS'))
    pieces.push({ value: { item: 'FLAGS', flags: sel.flagsAt(i) } });
  const w = s.w;
  w.raw(`* ${i + 1} FETCH (`);
  for (let k = 0; k < pieces.length; k++) {
    if (k) w.sp();
    const p = pieces[k]!;
    if ('value' in p) writeValue(w, p.value);
    else if ('slice' in p) await streamSlice(s, i, p.slice);
    else
      writeValue(w, {
        item: 'BINARY.SIZE',
        part: p.binarySize.part,
        size: await decodedSize(s, i, p.binarySize.slice),
      });
  }
  w.raw(')\r\n');
}

/** Where one item's data comes from; null for an item that is left out (as fetchValues does). */
async function pieceOf(
  s: ImapSession,
  i: number,
  a: FetchAttribute,
  meta: MessageMeta,
  structure: MessageStructure | undefined,
): Promise<Piece | null> {
  if (isWhole(a)) {
    const partial = a.item === 'BODY[]' || a.item === 'BINARY[]' ? a.partial : undefined;
    const binary = a.item === 'BINARY[]';
    return { slice: { label: binary ? 'BINARY[]' : a.item, start: 0, end: meta.size, partial, binary } };
  }
  if (
    a.item !== 'BODY[]' &&
    a.item !== 'BINARY[]' &&
    a.item !== 'BINARY.SIZE' &&
    a.item !== 'RFC822.HEADER' &&
    a.item !== 'RFC822.TEXT'
  ) {
    const [value] = await fetchValues(s, i, [a], planFetch([a]), meta);
    return value ? { value } : null;
  }
  // Sections need the structure; the caller sends messages without one the slow way.
  if (!structure) throw new Error(`message uid ${s.selected!.uids[i]} has no stored structure`);
  if (a.item === 'BINARY[]' || a.item === 'BINARY.SIZE') {
    const at = locateBinary(structure, a.part);
    if (!at) {
      if (a.item === 'BINARY.SIZE') return { value: { item: 'BINARY.SIZE', part: a.part, size: 0 } };
      return { value: { item: 'BINARY[]', part: a.part, data: null } };
    }
    if (!transferDecoder(at.encoding)) throw UNKNOWN_CTE();
    const slice: Slice = {
      label: `BINARY[${a.part.join('.')}]`,
      start: at.start,
      end: at.end,
      binary: true,
      ...(NO_ENCODING.has(at.encoding) ? {} : { decode: at.encoding }),
    };
    if (a.item === 'BINARY.SIZE') return { binarySize: { part: a.part, slice } };
    return { slice: { ...slice, partial: a.partial } };
  }
  const section =
    a.item === 'BODY[]'
      ? a.section
      : { part: [], text: a.item === 'RFC822.HEADER' ? ('HEADER' as const) : ('TEXT' as const), fields: [] };
  const at = locateSection(structure, section);
  const label = a.item === 'BODY[]' ? `BODY[${formatSection(section)}]` : a.item;
  if (!at)
    return {
      value: a.item === 'BODY[]' ? { item: a.item, section, data: null } : { item: a.item, data: null },
    };
  const partial = a.item === 'BODY[]' ? a.partial : undefined;
  if (!at.filter) return { slice: { label, start: at.start, end: at.end, partial, binary: false } };
  // HEADER.FIELDS: the header is read and filtered in memory; a header is small.
  const header = await s.app.mailbox.messages.read(
    s.actor!,
    { id: s.selected!.folderId },
    s.selected!.uids[i]!,
    at,
  );
  const data = filterHeader(header, section.fields, section.text === 'HEADER.FIELDS.NOT');
  return {
    value: {
      item: 'BODY[]',
      section,
      data: applyPartial(data, partial),
      ...(partial ? { origin: partial.offset } : {}),
    },
  };
}

/** The part of `length` bytes a partial keeps: its start and length. */
function clamp(length: number, partial: Partial | undefined): { skip: number; take: number } {
  if (!partial) return { skip: 0, take: length };
  const skip = Math.min(partial.offset, length);
  return { skip, take: Math.min(partial.length, length - skip) };
}

/** The slice as a literal: the bytes straight from the blob store, or decoded on the way. */
async function streamSlice(s: ImapSession, i: number, slice: Slice): Promise<void> {
  const w = s.w;
  const origin = slice.partial ? `<${slice.partial.offset}>` : '';
  const length = slice.decode ? await decodedSize(s, i, slice) : slice.end - slice.start;
  const { skip, take } = clamp(length, slice.partial);
  w.raw(`${slice.label}${origin} ${slice.binary ? '~' : ''}{${take}}\r\n`);
  let sent = 0;
  if (!slice.decode) {
    for await (const chunk of await open(s, i, slice.start + skip, slice.start + skip + take)) {
      sent += chunk.length;
      if (sent > take) break;
      w.bytes(chunk);
      await s.maybeFlush();
    }
  } else if (take > 0) {
    let seen = 0;
    const decoder = transferDecoder(slice.decode)!;
    const emit = async (out: Buffer) => {
      const from = Math.max(0, skip - seen);
      const to = Math.min(out.length, skip + take - seen);
      seen += out.length;
      if (to > from) {
        sent += to - from;
        w.bytes(out.subarray(from, to));
        await s.maybeFlush();
      }
    };
    for await (const chunk of await open(s, i, slice.start, slice.end)) {
      await emit(decoder.push(chunk));
      if (seen >= skip + take) break;
    }
    if (seen < skip + take) await emit(decoder.end());
  }
  // The literal's length is promised: a blob that differs from the record cannot be sent.
  if (sent !== take)
    throw new Error(`message uid ${s.selected!.uids[i]} has ${sent} bytes, ${take} promised`);
}

/** The length of the slice's bytes once decoded, decoding them chunk by chunk. */
async function decodedSize(s: ImapSession, i: number, slice: Slice): Promise<number> {
  const decoder = transferDecoder(slice.decode ?? '')!;
  let n = 0;
  for await (const chunk of await open(s, i, slice.start, slice.end)) n += decoder.push(chunk).length;
  return n + decoder.end().length;
}

async function open(s: ImapSession, i: number, start: number, end: number): Promise<AsyncIterable<Buffer>> {
  const sel = s.selected!;
  const opened = await s.app.mailbox.messages.open(s.actor!, { id: sel.folderId }, sel.uids[i]!, {
    start,
    end,
  });
  return opened.chunks;
}
