import type { StoreCommand } from '../proto/parser/store.js';
import { codes } from '../proto/protocol/status.js';
import { normalizeRanges } from '../proto/sequence.js';
import { writeFlags } from '../fetch-flags.js';
import { SELECTED, type CommandHandler } from './handler.js';

const OPS = { set: 'replace', add: 'add', remove: 'remove' } as const;

/** STORE and UID STORE, with CONDSTORE's UNCHANGEDSINCE and MODIFIED (RFC 7162). */
export const storeCommand: CommandHandler<StoreCommand> = {
  states: SELECTED,
  sync: 'no-expunge',
  async run(s, cmd) {
    const sel = s.selected!;
    if (sel.readOnly) {
      await s.no(cmd.tag, 'The mailbox is read-only');
      return null;
    }
    if (cmd.unchangedSince !== undefined) s.enabled.add('CONDSTORE');
    const indexes = sel.indexes(cmd.sequence, cmd.uid).filter((i) => !sel.gone.has(sel.uids[i]!));
    if (!indexes.length) return { text: 'STORE completed' };
    const r = await s.app.mailbox.messages.storeFlags(s.actor!, { id: sel.folderId }, sel.uidSet(indexes), {
      op: OPS[cmd.operation],
      flags: cmd.flags,
      ...(cmd.unchangedSince !== undefined ? { unchangedSince: cmd.unchangedSince } : {}),
    });
    sel.applyFlags(r.updated);
    for (const u of r.updated) {
      const i = sel.indexOf(u.uid);
      if (i < 0) continue;
      if (!cmd.silent) writeFlags(s, i);
      else if (cmd.unchangedSince !== undefined) writeFlags(s, i, false);
      await s.maybeFlush();
    }
    if (!r.modified.length) return { text: 'STORE completed' };
    const ids = cmd.uid ? r.modified : r.modified.map((u) => sel.indexOf(u) + 1).filter((n) => n > 0);
    return {
      text: 'Some messages were modified meanwhile',
      code: codes.modified(normalizeRanges(ids.map((n) => [n, n]))),
    };
  },
};
