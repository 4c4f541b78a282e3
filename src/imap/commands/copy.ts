import type { CopyResult } from '../../mailbox/types.js';
import type { CopyCommand } from '../proto/parser/copy.js';
import { codes, untagged } from '../proto/protocol/status.js';
import { asTargetError } from '../reply.js';
import { writeExpunged } from '../sync.js';
import { SELECTED, type CommandHandler } from './handler.js';

/** COPY and MOVE (RFC 6851), with UIDPLUS's COPYUID. */
export const copyCommand: CommandHandler<CopyCommand> = {
  states: SELECTED,
  async run(s, cmd) {
    const sel = s.selected!;
    const uids = sel.uidSet(sel.indexes(cmd.sequence, cmd.uid).filter((i) => !sel.gone.has(sel.uids[i]!)));
    if (cmd.name === 'MOVE' && sel.readOnly) {
      await s.no(cmd.tag, 'The mailbox is read-only');
      return null;
    }
    if (!uids.length) return { text: `${cmd.name} completed` };
    const messages = s.app.mailbox.messages;
    const target = cmd.mailbox;
    const from = { id: sel.folderId };
    const r: CopyResult & { expunged?: number[] } = await (
      cmd.name === 'MOVE'
        ? messages.move(s.actor!, from, uids, target)
        : messages.copy(s.actor!, from, uids, target)
    ).catch((e: unknown) => {
      throw asTargetError(e);
    });
    const copyUid = r.mapping.length
      ? codes.copyUid(
          r.uidvalidity,
          r.mapping.map(([from]) => from),
          r.mapping.map(([, to]) => to),
        )
      : undefined;
    if (cmd.name === 'COPY') return { text: 'COPY completed', ...(copyUid ? { code: copyUid } : {}) };
    if (copyUid) s.w.bytes(untagged('OK', 'Moved', copyUid));
    writeExpunged(s, r.expunged ?? []);
    return { text: 'MOVE completed' };
  },
};
