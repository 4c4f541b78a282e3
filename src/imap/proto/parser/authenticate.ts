import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';

export interface AuthenticateCommand {
  name: 'AUTHENTICATE';
  tag: string;
  mechanism: string;
  /** SASL-IR (RFC 4959): absent, or the decoded response (`=` is an empty one). */
  initialResponse: Buffer | undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseAuthenticate(tag: string, r: TokenReader): AuthenticateCommand {
  const mechanism = r.keyword('SASL mechanism');
  if (!/^[A-Z0-9_-]{1,20}$/.test(mechanism)) throw new ImapParseError('Invalid SASL mechanism');
  let initialResponse: Buffer | undefined;
  if (!r.done) {
    const decoded = decodeSaslResponse(Buffer.from(r.atom('initial response'), 'latin1'));
    if (decoded === null) throw new ImapParseError('Invalid initial response');
    initialResponse = decoded;
  }
  r.end();
  return { name: 'AUTHENTICATE', tag, mechanism, initialResponse };
}

/**
 * One client line of a SASL exchange: base64, `=` for empty (SASL-IR), `*` to cancel (null).
 */
export function decodeSaslResponse(line: Buffer): Buffer | null {
  const text = line.toString('latin1');
  if (text === '*') return null;
  if (text === '=') return Buffer.alloc(0);
  if (!BASE64.test(text)) throw new ImapParseError('Invalid base64 in SASL response');
  return Buffer.from(text, 'base64');
}
