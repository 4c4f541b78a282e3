import type { TokenReader } from './reader.js';

export interface EnableCommand {
  name: 'ENABLE';
  tag: string;
  /** Upper-cased capability names, in the order given. */
  capabilities: string[];
}

export function parseEnable(tag: string, r: TokenReader): EnableCommand {
  const capabilities = [r.keyword('capability')];
  while (!r.done) capabilities.push(r.keyword('capability'));
  return { name: 'ENABLE', tag, capabilities };
}
