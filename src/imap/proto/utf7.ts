import { isUtf8 } from 'node:buffer';
import { ImapParseError } from './errors.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

function printable(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** Modified UTF-7 of RFC 3501 §5.1.3, as used for mailbox names without UTF8=ACCEPT. */
export function encodeUtf7(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (printable(c)) {
      out += c === 0x26 ? '&-' : text[i];
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !printable(text.charCodeAt(j))) j++;
    out += '&' + encodeRun(text, i, j) + '-';
    i = j;
  }
  return out;
}

function encodeRun(text: string, from: number, to: number): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (let k = from; k < to; k++) {
    acc = (acc << 16) | text.charCodeAt(k);
    bits += 16;
    while (bits >= 6) {
      bits -= 6;
      out += B64[(acc >>> bits) & 63];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B64[(acc << (6 - bits)) & 63];
  return out;
}

/**
 * Strict decoding: refuses what no correct encoder produces (8-bit or control characters, an
 * unterminated shift, printable ASCII inside a shift, padding bits, broken surrogates, two shifts
 * in a row), so one name has one spelling.
 */
export function decodeUtf7(text: string): string {
  let out = '';
  let i = 0;
  let lastShiftEnd = -1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!printable(c)) throw new ImapParseError('Invalid character in mailbox name');
    if (c !== 0x26) {
      out += text[i];
      i++;
      continue;
    }
    const end = text.indexOf('-', i + 1);
    if (end < 0) throw new ImapParseError('Unterminated modified UTF-7 shift');
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    if (lastShiftEnd === i) throw new ImapParseError('Adjacent modified UTF-7 shifts');
    out += decodeRun(text, i + 1, end);
    i = end + 1;
    lastShiftEnd = i;
  }
  return out;
}

function decodeRun(text: string, from: number, to: number): string {
  const units: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let k = from; k < to; k++) {
    const code = text.charCodeAt(k);
    const v = code < 128 ? B64_VALUE[code]! : -1;
    if (v < 0) throw new ImapParseError('Invalid modified BASE64');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 16) {
      bits -= 16;
      units.push((acc >>> bits) & 0xffff);
    }
  }
  if (bits >= 6 || (acc & ((1 << bits) - 1)) !== 0)
    throw new ImapParseError('Invalid modified BASE64 padding');
  if (units.length === 0) throw new ImapParseError('Invalid modified BASE64');
  for (let k = 0; k < units.length; k++) {
    const u = units[k]!;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[k + 1];
      if (next === undefined || next < 0xdc00 || next > 0xdfff)
        throw new ImapParseError('Invalid UTF-16 in name');
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw new ImapParseError('Invalid UTF-16 in name');
    } else if (printable(u)) {
      throw new ImapParseError('Printable ASCII must not be encoded');
    }
  }
  let out = '';
  for (const u of units) out += String.fromCharCode(u);
  return out;
}

/**
 * A mailbox name from the wire. With UTF8=ACCEPT enabled names are UTF-8 (RFC 6855) and `&` is an
 * ordinary character; before that they are 7-bit modified UTF-7.
 */
export function decodeMailboxName(raw: Buffer, utf8: boolean): string {
  if (utf8) {
    if (!isUtf8(raw)) throw new ImapParseError('Mailbox name is not valid UTF-8');
    const name = raw.toString('utf8');
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\x00-\x1f\x7f]/.test(name)) throw new ImapParseError('Invalid character in mailbox name');
    return name;
  }
  return decodeUtf7(raw.toString('latin1'));
}

/** A mailbox name for a response, in the form the client was promised. */
export function encodeMailboxName(name: string, utf8: boolean): string {
  return utf8 ? name : encodeUtf7(name);
}

/** Whether bytes in a string argument are acceptable as UTF-8 text. */
export function isValidUtf8(raw: Buffer): boolean {
  return isUtf8(raw);
}
