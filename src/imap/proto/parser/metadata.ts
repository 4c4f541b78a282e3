import { ImapParseError } from '../errors.js';
import { decodeMailboxName } from '../utf7.js';
import type { TokenReader } from './reader.js';

/** RFC 5464. `mailbox` is `''` for server annotations. */
export type MetadataCommand =
  | {
      name: 'GETMETADATA';
      tag: string;
      mailbox: string;
      entries: string[];
      maxSize: number | undefined;
      depth: '0' | '1' | 'infinity';
    }
  | {
      name: 'SETMETADATA';
      tag: string;
      mailbox: string;
      values: Array<{ entry: string; value: Buffer | null }>;
    };

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const ENTRY = /^\/(private|shared)(\/[^\x00-\x1f\x7f*%/]+)*$/i;

function entryName(r: TokenReader): string {
  const entry = r.astring('entry name');
  if (!ENTRY.test(entry) || entry.includes('//')) throw new ImapParseError('Invalid entry name');
  return entry.toLowerCase();
}

function metadataMailbox(r: TokenReader): string {
  const raw = r.astringBytes('mailbox name');
  if (raw.length === 0) return '';
  if (raw.length === 5 && raw.toString('latin1').toUpperCase() === 'INBOX') return 'INBOX';
  return decodeMailboxName(raw, r.ctx.utf8);
}

export function parseMetadata(name: MetadataCommand['name'], tag: string, r: TokenReader): MetadataCommand {
  if (name === 'SETMETADATA') {
    const mailbox = metadataMailbox(r);
    const values: Array<{ entry: string; value: Buffer | null }> = [];
    r.open('metadata values');
    while (!r.isClose()) values.push({ entry: entryName(r), value: r.nstringBytes('metadata value', true) });
    r.close('metadata values');
    if (values.length === 0) throw new ImapParseError('Empty metadata list');
    r.end();
    return { name, tag, mailbox, values };
  }
  let maxSize: number | undefined;
  let depth: '0' | '1' | 'infinity' = '0';
  if (r.isOpen()) {
    r.list(
      'metadata options',
      () => {
        const opt = r.keyword('metadata option');
        if (opt === 'MAXSIZE') {
          maxSize = r.number('MAXSIZE');
        } else if (opt === 'DEPTH') {
          const d = r.keyword('DEPTH').toLowerCase();
          if (d !== '0' && d !== '1' && d !== 'infinity') throw new ImapParseError('Invalid DEPTH');
          depth = d;
        } else {
          throw new ImapParseError(`Unknown metadata option ${opt}`);
        }
      },
      true,
    );
  }
  const mailbox = metadataMailbox(r);
  const entries = r.oneOrList('entry names', () => entryName(r));
  r.end();
  return { name, tag, mailbox, entries, maxSize, depth };
}
