import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';

export interface IdCommand {
  name: 'ID';
  tag: string;
  /** Field/value pairs, or null for `ID NIL`. */
  params: Array<[string, string | null]> | null;
}

export function parseId(tag: string, r: TokenReader): IdCommand {
  let params: Array<[string, string | null]> | null = null;
  if (r.isOpen()) {
    params = [];
    r.open('ID parameters');
    while (!r.isClose()) {
      const key = r.string('ID field');
      const value = r.nstring('ID value');
      // RFC 2971 limits: 30 pairs, 30-octet fields, 1024-octet values.
      if (params.length >= 30 || key.length > 30 || (value !== null && value.length > 1024)) {
        throw new ImapParseError('ID parameters over limits');
      }
      params.push([key, value]);
    }
    r.close('ID parameters');
  } else if (r.keyword('ID parameters') !== 'NIL') {
    throw new ImapParseError('Expected ID parameter list or NIL');
  }
  r.end();
  return { name: 'ID', tag, params };
}
