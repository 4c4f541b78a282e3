import type { TokenReader } from './reader.js';

export interface RenameCommand {
  name: 'RENAME';
  tag: string;
  from: string;
  to: string;
}

export function parseRename(tag: string, r: TokenReader): RenameCommand {
  const from = r.mailbox('existing mailbox name');
  const to = r.mailbox('new mailbox name');
  r.end();
  return { name: 'RENAME', tag, from, to };
}
