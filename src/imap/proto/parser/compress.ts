import type { TokenReader } from './reader.js';

export interface CompressCommand {
  name: 'COMPRESS';
  tag: string;
  /** Upper-cased; RFC 4978 defines only DEFLATE, the session refuses the rest. */
  mechanism: string;
}

export function parseCompress(tag: string, r: TokenReader): CompressCommand {
  const mechanism = r.keyword('compression mechanism');
  r.end();
  return { name: 'COMPRESS', tag, mechanism };
}
