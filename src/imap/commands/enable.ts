import type { EnableCommand } from '../proto/parser/enable.js';
import { enabled } from '../proto/protocol/mailbox.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

const ENABLEABLE = new Set(['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT', 'IMAP4REV2']);

/** ENABLE (RFC 5161); QRESYNC implies CONDSTORE. Unknown names are ignored, as the RFC asks. */
export const enableCommand: CommandHandler<EnableCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    const now: string[] = [];
    for (const name of cmd.capabilities) {
      const cap = name === 'IMAP4REV2' ? 'IMAP4rev2' : name;
      if (!ENABLEABLE.has(name) || s.enabled.has(cap)) continue;
      if (cap === 'UTF8=ACCEPT') s.setUtf8();
      else s.enabled.add(cap);
      if (cap === 'QRESYNC') s.enabled.add('CONDSTORE');
      now.push(cap);
    }
    enabled(s.w, now);
    return { text: 'ENABLE completed' };
  },
};
