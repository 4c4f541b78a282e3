import { formatSection, type Section } from '../parser/fetch.js';
import { ResponseWriter } from '../response.js';
import { type Address, type BodyStructure, type Envelope, isMultipart, type Param } from '../structure.js';

/** One FETCH data item with its value, as the session computed it. */
export type FetchValue =
  | { item: 'UID' | 'RFC822.SIZE'; value: number }
  | { item: 'MODSEQ'; value: number }
  | { item: 'FLAGS'; flags: readonly string[] }
  | { item: 'INTERNALDATE'; date: Date; offsetMinutes?: number }
  | { item: 'SAVEDATE'; date: Date | null }
  | { item: 'ENVELOPE'; envelope: Envelope }
  | { item: 'BODY' | 'BODYSTRUCTURE'; body: BodyStructure }
  /** ENVELOPE, BODY or BODYSTRUCTURE bytes made once by `encodeEnvelope` / `encodeBodyStructure`. */
  | { item: 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE'; encoded: Buffer }
  | { item: 'EMAILID' | 'THREADID'; id: string | null }
  /** `origin` echoes the partial offset; data null is written NIL. */
  | { item: 'BODY[]'; section: Section; origin?: number; data: Buffer | null }
  | { item: 'BINARY[]'; part: readonly number[]; origin?: number; data: Buffer | null }
  | { item: 'BINARY.SIZE'; part: readonly number[]; size: number }
  | { item: 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT'; data: Buffer | null };

/** `* 12 FETCH (...)` with the items in the given order. */
export function fetch(w: ResponseWriter, seq: number, values: readonly FetchValue[]): ResponseWriter {
  w.raw(`* ${seq} FETCH (`);
  for (let i = 0; i < values.length; i++) {
    if (i) w.sp();
    writeValue(w, values[i]!);
  }
  return w.raw(')\r\n');
}

export function writeValue(w: ResponseWriter, v: FetchValue): void {
  switch (v.item) {
    case 'UID':
    case 'RFC822.SIZE':
      w.raw(`${v.item} ${v.value}`);
      return;
    case 'MODSEQ':
      w.raw(`MODSEQ (${v.value})`);
      return;
    case 'FLAGS':
      w.raw('FLAGS ').flags(v.flags);
      return;
    case 'INTERNALDATE':
      w.raw(`INTERNALDATE "${formatDateTime(v.date, v.offsetMinutes ?? 0)}"`);
      return;
    case 'SAVEDATE':
      w.raw(v.date ? `SAVEDATE "${formatDateTime(v.date, 0)}"` : 'SAVEDATE NIL');
      return;
    case 'ENVELOPE':
    case 'BODY':
    case 'BODYSTRUCTURE':
      w.raw(v.item).sp();
      if ('encoded' in v) w.bytes(v.encoded);
      else if ('envelope' in v) writeEnvelope(w, v.envelope);
      else writeBodyStructure(w, v.body, v.item === 'BODYSTRUCTURE');
      return;
    case 'EMAILID':
    case 'THREADID':
      w.raw(v.id === null ? `${v.item} NIL` : `${v.item} (${v.id})`);
      return;
    case 'BODY[]':
      w.raw(`BODY[${formatSection(v.section)}]${v.origin === undefined ? '' : `<${v.origin}>`} `);
      if (v.data === null) w.nil();
      else w.literal(v.data);
      return;
    case 'BINARY[]':
      w.raw(`BINARY[${v.part.join('.')}]${v.origin === undefined ? '' : `<${v.origin}>`} `);
      if (v.data === null) w.nil();
      else w.literal(v.data, true);
      return;
    case 'BINARY.SIZE':
      w.raw(`BINARY.SIZE[${v.part.join('.')}] ${v.size}`);
      return;
    case 'RFC822':
    case 'RFC822.HEADER':
    case 'RFC822.TEXT':
      w.raw(v.item).sp();
      if (v.data === null) w.nil();
      else w.literal(v.data);
      return;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** date-time `17-Jul-1996 02:44:25 -0700`, shown in the zone `offsetMinutes` east of UTC. */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  const d = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(offsetMinutes);
  const day = d.getUTCDate();
  return (
    `${day < 10 ? ' ' + day : day}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ` +
    `${sign}${pad2(Math.floor(off / 60))}${pad2(off % 60)}`
  );
}

/**
 * ENVELOPE bytes to cache beside the message. Written without UTF-8 quoting (8-bit text goes as
 * literals), which every client accepts, so one cached form serves all sessions.
 */
export function encodeEnvelope(e: Envelope): Buffer {
  return writeEnvelope(new ResponseWriter(false, 512), e).take();
}

/** BODY (`extended` false) or BODYSTRUCTURE bytes to cache; see `encodeEnvelope`. */
export function encodeBodyStructure(b: BodyStructure, extended: boolean): Buffer {
  return writeBodyStructure(new ResponseWriter(false, 512), b, extended).take();
}

function writeAddresses(w: ResponseWriter, list: readonly Address[] | null): void {
  if (!list || list.length === 0) {
    w.nil();
    return;
  }
  w.raw('(');
  for (const a of list) {
    w.raw('(').nstring(a.name).sp().nstring(a.adl).sp().nstring(a.mailbox).sp().nstring(a.host).raw(')');
  }
  w.raw(')');
}

export function writeEnvelope(w: ResponseWriter, e: Envelope): ResponseWriter {
  w.raw('(').nstring(e.date).sp().nstring(e.subject).sp();
  writeAddresses(w, e.from);
  w.sp();
  writeAddresses(w, e.sender);
  w.sp();
  writeAddresses(w, e.replyTo);
  w.sp();
  writeAddresses(w, e.to);
  w.sp();
  writeAddresses(w, e.cc);
  w.sp();
  writeAddresses(w, e.bcc);
  return w.sp().nstring(e.inReplyTo).sp().nstring(e.messageId).raw(')');
}

function writeParams(w: ResponseWriter, params: readonly Param[]): void {
  if (params.length === 0) {
    w.nil();
    return;
  }
  w.raw('(');
  params.forEach(([k, v], i) => {
    if (i) w.sp();
    w.string(k).sp().string(v);
  });
  w.raw(')');
}

/** BODYSTRUCTURE (`extended`) or BODY; a missing optional field is NIL, never omitted mid-list. */
export function writeBodyStructure(w: ResponseWriter, b: BodyStructure, extended: boolean): ResponseWriter {
  w.raw('(');
  if (isMultipart(b)) {
    for (const p of b.parts) writeBodyStructure(w, p, extended);
    w.sp().string(b.subtype);
    if (extended) {
      w.sp();
      writeParams(w, b.params);
      writeExtension(w, b);
    }
    return w.raw(')');
  }
  w.string(b.type).sp().string(b.subtype).sp();
  writeParams(w, b.params);
  w.sp().nstring(b.id).sp().nstring(b.description).sp().string(b.encoding).sp().number(b.size);
  if (b.message) {
    w.sp();
    writeEnvelope(w, b.message.envelope);
    w.sp();
    writeBodyStructure(w, b.message.body, extended);
  }
  if (b.lines !== null) w.sp().number(b.lines);
  if (extended) {
    w.sp().nstring(b.md5);
    writeExtension(w, b);
  }
  return w.raw(')');
}

function writeExtension(w: ResponseWriter, b: BodyStructure): void {
  w.sp();
  if (b.disposition) {
    w.raw('(').string(b.disposition.type).sp();
    writeParams(w, b.disposition.params);
    w.raw(')');
  } else {
    w.nil();
  }
  w.sp();
  if (!b.language) w.nil();
  else if (b.language.length === 1) w.string(b.language[0]!);
  else w.list(b.language, (l) => w.string(l));
  w.sp().nstring(b.location);
}
