import libmime from 'libmime';
import type { AddHeaderAction, DeleteHeaderAction } from '../actions.js';

type HeaderEdit = AddHeaderAction | DeleteHeaderAction;

/**
 * The message with editheader's changes (RFC 5293) applied in order. Fields keep their exact
 * bytes; added ones are RFC 2047-encoded when not ASCII and folded at 78 columns.
 */
export function applyHeaderEdits(raw: Buffer, edits: readonly HeaderEdit[]): Buffer {
  const { fields, body } = splitFields(raw);
  for (const e of edits) {
    if (e.type === 'addheader') {
      const field = formatField(e.name, e.value);
      if (e.last) fields.push({ name: e.name.toLowerCase(), raw: field });
      else fields.unshift({ name: e.name.toLowerCase(), raw: field });
      continue;
    }
    const key = e.name.toLowerCase();
    const drop = new Set(e.positions);
    let k = 0;
    for (let i = 0; i < fields.length; i++) {
      if (fields[i]!.name !== key) continue;
      if (drop.has(k++)) fields.splice(i--, 1);
    }
  }
  return Buffer.concat([...fields.map((f) => f.raw), body]);
}

interface Field {
  name: string;
  raw: Buffer;
}

/** Fields with their continuation lines; `body` starts at the empty line that ends the header. */
function splitFields(raw: Buffer): { fields: Field[]; body: Buffer } {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < raw.length) {
    if (raw[pos] === 0x0a || (raw[pos] === 0x0d && raw[pos + 1] === 0x0a)) break;
    let end = pos;
    do {
      const nl = raw.indexOf(0x0a, end);
      end = nl < 0 ? raw.length : nl + 1;
    } while (end < raw.length && (raw[end] === 0x20 || raw[end] === 0x09));
    const line = raw.subarray(pos, end);
    const colon = line.indexOf(0x3a);
    const name = colon > 0 ? line.subarray(0, colon).toString('latin1').trim().toLowerCase() : '';
    fields.push({ name, raw: line });
    pos = end;
  }
  return { fields, body: raw.subarray(pos) };
}

function formatField(name: string, value: string): Buffer {
  // eslint-disable-next-line no-control-regex -- non-ASCII and control characters need encoding
  const encoded = /[^\x20-\x7e]/.test(value) ? libmime.encodeWords(value, 'Q', 52) : value;
  return Buffer.from(`${libmime.foldLines(`${name}: ${encoded}`, 78)}\r\n`);
}
