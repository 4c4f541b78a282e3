import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';

export const STATUS_ITEMS = [
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
  'MAILBOXID',
] as const;

export type StatusItem = (typeof STATUS_ITEMS)[number];

const KNOWN = new Set<string>(STATUS_ITEMS);

export interface StatusCommand {
  name: 'STATUS';
  tag: string;
  mailbox: string;
  items: StatusItem[];
}

export function parseStatusItems(r: TokenReader): StatusItem[] {
  return r.list(
    'status items',
    () => {
      const item = r.keyword('status item');
      if (!KNOWN.has(item)) throw new ImapParseError(`Unknown status item ${item}`);
      return item as StatusItem;
    },
    true,
  );
}

export function parseStatus(tag: string, r: TokenReader): StatusCommand {
  const mailbox = r.mailbox();
  const items = parseStatusItems(r);
  r.end();
  return { name: 'STATUS', tag, mailbox, items };
}
