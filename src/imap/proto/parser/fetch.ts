import { ImapParseError } from '../errors.js';
import { parseNzNumber, type SequenceSet } from '../sequence.js';
import type { TokenReader } from './reader.js';

/** A body section: `part` is the dotted part number (`[]` for the whole message). */
export interface Section {
  part: number[];
  text: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME' | undefined;
  /** Header field names for HEADER.FIELDS(.NOT), upper-cased. */
  fields: string[];
}

export interface Partial {
  offset: number;
  length: number;
}

export type SimpleFetchItem =
  | 'FLAGS'
  | 'INTERNALDATE'
  | 'RFC822.SIZE'
  | 'ENVELOPE'
  | 'BODY'
  | 'BODYSTRUCTURE'
  | 'UID'
  | 'MODSEQ'
  | 'EMAILID'
  | 'THREADID'
  | 'SAVEDATE'
  | 'RFC822'
  | 'RFC822.HEADER'
  | 'RFC822.TEXT';

export type FetchAttribute =
  | { item: SimpleFetchItem }
  | { item: 'BODY[]'; peek: boolean; section: Section; partial: Partial | undefined }
  | { item: 'BINARY[]'; peek: boolean; part: number[]; partial: Partial | undefined }
  | { item: 'BINARY.SIZE'; part: number[] };

export interface FetchCommand {
  name: 'FETCH';
  tag: string;
  uid: boolean;
  sequence: SequenceSet;
  /** UID is added for UID FETCH and MODSEQ for CHANGEDSINCE, as the responses must carry them. */
  attributes: FetchAttribute[];
  changedSince: number | undefined;
  /** QRESYNC: report expunged UIDs in the range as VANISHED (EARLIER). */
  vanished: boolean;
}

const SIMPLE = new Set<string>([
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODY',
  'BODYSTRUCTURE',
  'UID',
  'MODSEQ',
  'EMAILID',
  'THREADID',
  'SAVEDATE',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
]);

const MACROS: Record<string, SimpleFetchItem[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SECTIONED = /^(BODY|BODY\.PEEK|BINARY|BINARY\.PEEK|BINARY\.SIZE)\[([^\]]*)(\].*)?$/;
const PARTIAL = /^<(0|[1-9][0-9]{0,9})\.([1-9][0-9]{0,9})>$/;
const FIELD_NAME = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

export function parseFetch(tag: string, uid: boolean, r: TokenReader): FetchCommand {
  const sequence = r.sequenceSet();
  let attributes: FetchAttribute[];
  const macro = MACROS[r.peekKeyword() ?? ''];
  if (macro) {
    r.pos++;
    attributes = macro.map((item) => ({ item }));
  } else if (r.isOpen()) {
    attributes = r.list('fetch attributes', () => parseAttribute(r), true);
  } else {
    attributes = [parseAttribute(r)];
  }
  let changedSince: number | undefined;
  let vanished = false;
  if (r.isOpen()) {
    r.list(
      'fetch modifiers',
      () => {
        const mod = r.keyword('fetch modifier');
        if (mod === 'CHANGEDSINCE' && changedSince === undefined) changedSince = r.number64('mod-sequence');
        else if (mod === 'VANISHED' && !vanished) vanished = true;
        else throw new ImapParseError(`Unknown or repeated fetch modifier ${mod}`);
      },
      true,
    );
  }
  r.end();
  if (vanished && (!uid || changedSince === undefined)) {
    throw new ImapParseError('VANISHED needs UID FETCH with CHANGEDSINCE');
  }
  if (uid && !attributes.some((a) => a.item === 'UID')) attributes.push({ item: 'UID' });
  if (changedSince !== undefined && !attributes.some((a) => a.item === 'MODSEQ'))
    attributes.push({ item: 'MODSEQ' });
  return { name: 'FETCH', tag, uid, sequence, attributes, changedSince, vanished };
}

function parseAttribute(r: TokenReader): FetchAttribute {
  const atom = r.atom('fetch attribute').toUpperCase();
  if (SIMPLE.has(atom)) return { item: atom as SimpleFetchItem };
  const m = SECTIONED.exec(atom);
  if (!m) throw new ImapParseError(`Unknown fetch attribute ${atom}`);
  const kind = m[1]!;
  let spec = m[2]!;
  let rest = m[3];
  let fields: string[] = [];
  if (rest === undefined) {
    // `BODY[HEADER.FIELDS (A B)]` arrives split around its list.
    if (!/(^|\.)HEADER\.FIELDS(\.NOT)?$/.test(spec)) throw new ImapParseError('Unterminated section');
    fields = r.list('header field names', () => r.astring('header field name').toUpperCase(), true);
    if (fields.some((f) => !FIELD_NAME.test(f))) throw new ImapParseError('Invalid header field name');
    const close = r.atom('end of section');
    if (!close.startsWith(']')) throw new ImapParseError('Expected ] after header field names');
    rest = close;
  } else if (/HEADER\.FIELDS/.test(spec)) {
    throw new ImapParseError('HEADER.FIELDS needs a list of field names');
  }
  const partialText = rest.slice(1);
  let partial: Partial | undefined;
  if (partialText) {
    const p = PARTIAL.exec(partialText);
    if (!p || kind === 'BINARY.SIZE') throw new ImapParseError('Invalid partial range');
    partial = { offset: Number(p[1]), length: Number(p[2]) };
    if (partial.offset > 4294967295 || partial.length > 4294967295)
      throw new ImapParseError('Invalid partial range');
  }
  if (kind.startsWith('BINARY')) {
    const part = spec === '' ? [] : parsePart(spec);
    if (kind === 'BINARY.SIZE') return { item: 'BINARY.SIZE', part };
    return { item: 'BINARY[]', peek: kind === 'BINARY.PEEK', part, partial };
  }
  spec = spec.toUpperCase();
  return { item: 'BODY[]', peek: kind === 'BODY.PEEK', section: parseSection(spec, fields), partial };
}

function parsePart(text: string): number[] {
  return text.split('.').map((n) => parseNzNumber(n, 'section part'));
}

function parseSection(spec: string, fields: string[]): Section {
  if (spec === '') return { part: [], text: undefined, fields };
  const m = /^((?:[0-9]+\.)*[0-9]+)?(?:\.?(HEADER|HEADER\.FIELDS|HEADER\.FIELDS\.NOT|TEXT|MIME))?$/.exec(
    spec,
  );
  if (!m || (m[1] && m[2] && spec[m[1].length] !== '.') || (!m[1] && spec.startsWith('.'))) {
    throw new ImapParseError('Invalid section');
  }
  const part = m[1] ? parsePart(m[1]) : [];
  const text = m[2] as Section['text'];
  if (text === 'MIME' && part.length === 0) throw new ImapParseError('MIME needs a part number');
  return { part, text, fields };
}

/** A section as written inside `BODY[...]`, e.g. `1.HEADER.FIELDS (FROM TO)` (IMAP URLs carry it as text). */
export function parseSectionText(text: string): Section {
  const m = /^([^ ()]*)(?: \(([^()]*)\))?$/.exec(text);
  if (!m) throw new ImapParseError('Invalid section');
  const spec = m[1]!.toUpperCase();
  const fields = (m[2] ?? '')
    .split(' ')
    .filter(Boolean)
    .map((f) => f.toUpperCase());
  const wantsFields = /(^|\.)HEADER\.FIELDS(\.NOT)?$/.test(spec);
  if (wantsFields !== fields.length > 0 || (m[2] !== undefined && !wantsFields))
    throw new ImapParseError('HEADER.FIELDS needs a list of field names');
  if (fields.some((f) => !FIELD_NAME.test(f))) throw new ImapParseError('Invalid header field name');
  return parseSection(spec, fields);
}

/** The section as it is echoed in the FETCH response, e.g. `1.2.HEADER.FIELDS (FROM)`. */
export function formatSection(section: Section): string {
  let out = section.part.join('.');
  if (section.text) out += (out ? '.' : '') + section.text;
  if (section.fields.length) out += ` (${section.fields.join(' ')})`;
  return out;
}
