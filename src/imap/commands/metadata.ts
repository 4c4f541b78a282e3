import type { MetadataCommand } from '../proto/parser/metadata.js';
import { metadata } from '../proto/protocol/misc.js';
import { codes } from '../proto/protocol/status.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

const DEPTH = { '0': 0, '1': 1, infinity: 'infinity' } as const;

/** RFC 5464 GETMETADATA and SETMETADATA, on folders and (mailbox "") on the server. */
export const metadataCommand: CommandHandler<MetadataCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    const svc = s.app.mailbox.metadata;
    const folder = cmd.mailbox === '' ? null : cmd.mailbox;
    if (cmd.name === 'SETMETADATA') {
      await svc.set(
        s.actor!,
        folder,
        cmd.values.map((v) => ({
          entry: v.entry,
          value: v.value === null ? null : v.value.toString('utf8'),
        })),
      );
      return { text: 'SETMETADATA completed' };
    }
    const entries = await svc.get(s.actor!, folder, cmd.entries, DEPTH[cmd.depth]);
    const values: Array<[string, Buffer | null]> = [];
    let longest = 0;
    for (const e of entries) {
      const value = e.value === null ? null : Buffer.from(e.value, 'utf8');
      if (value && cmd.maxSize !== undefined && value.length > cmd.maxSize)
        longest = Math.max(longest, value.length);
      else values.push([e.entry, value]);
    }
    if (values.length) metadata(s.w, cmd.mailbox, values);
    return {
      text: 'GETMETADATA completed',
      ...(longest ? { code: codes.metadataLongEntries(longest) } : {}),
    };
  },
};
