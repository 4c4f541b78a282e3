import { SieveSyntaxError } from './errors.js';
import type { Position } from './ast.js';

const ENCODED = /\$\{(hex|unicode):([0-9a-fA-F \t]*)\}/gi;

/** RFC 5228 §2.4.2.4: decodes ${hex:..} and ${unicode:..}; malformed sequences are left as they are. */
export function decodeEncodedCharacters(s: string, at: Position = { line: 0, column: 0 }): string {
  if (!s.includes('${')) return s;
  return s.replace(ENCODED, (whole, kind: string, body: string) => {
    const items = body
      .trim()
      .split(/[ \t]+/)
      .filter(Boolean);
    if (!items.length) return whole;
    if (kind.toLowerCase() === 'hex') {
      if (items.some((h) => h.length !== 2)) return whole;
      return Buffer.from(items.join(''), 'hex').toString('utf8');
    }
    return items
      .map((h) => {
        const cp = parseInt(h, 16);
        if (h.length > 8 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          throw new SieveSyntaxError(`invalid Unicode character ${h} in \${unicode:...}`, at.line, at.column);
        }
        return String.fromCodePoint(cp);
      })
      .join('');
  });
}
