import { ImapParseError } from '../errors.js';
import type { TokenReader } from './reader.js';

/** RFC 9208 commands. */
export type QuotaCommand =
  | { name: 'GETQUOTA'; tag: string; root: string }
  | { name: 'GETQUOTAROOT'; tag: string; mailbox: string }
  | { name: 'SETQUOTA'; tag: string; root: string; limits: Array<{ resource: string; limit: number }> };

export function parseQuota(name: QuotaCommand['name'], tag: string, r: TokenReader): QuotaCommand {
  let cmd: QuotaCommand;
  if (name === 'GETQUOTAROOT') {
    cmd = { name, tag, mailbox: r.mailbox() };
  } else {
    const root = r.astring('quota root');
    if (name === 'GETQUOTA') {
      cmd = { name, tag, root };
    } else {
      const limits: Array<{ resource: string; limit: number }> = [];
      r.open('quota limits');
      while (!r.isClose()) {
        const resource = r.keyword('quota resource');
        if (!/^[A-Z0-9-]+$/.test(resource) || limits.some((l) => l.resource === resource)) {
          throw new ImapParseError('Invalid or repeated quota resource');
        }
        limits.push({ resource, limit: r.number64('quota limit') });
      }
      r.close('quota limits');
      cmd = { name, tag, root, limits };
    }
  }
  r.end();
  return cmd;
}
