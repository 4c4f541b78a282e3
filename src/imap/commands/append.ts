import type { AppendCommand } from '../proto/parser/append.js';
import { codes } from '../proto/protocol/status.js';
import { asTargetError } from '../reply.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

/** APPEND with UIDPLUS's APPENDUID; large messages come from the session's spool, not memory. */
export const appendCommand: CommandHandler<AppendCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd, spool) {
    if (cmd.messages.length !== 1) {
      await s.bad(cmd.tag, 'One message per APPEND (MULTIAPPEND is not supported)');
      return null;
    }
    const m = cmd.messages[0]!;
    let data: Buffer | AsyncIterable<Buffer>;
    if (Buffer.isBuffer(m.source)) data = m.source;
    else if (spool && spool.index === m.source.streamed) data = await spool.open();
    else throw new Error('streamed APPEND literal without its spool');
    const req = {
      data,
      flags: m.flags,
      ...(m.internalDate ? { internalDate: m.internalDate.getTime() } : {}),
    };
    const r = await s.app.mailbox.messages.append(s.actor!, cmd.mailbox, req).catch((e: unknown) => {
      throw asTargetError(e);
    });
    return { text: 'APPEND completed', code: codes.appendUid(r.uidvalidity, [r.uid]) };
  },
};
