import type { AppendRequest } from '../../mailbox/types.js';
import { catenate } from '../catenate.js';
import type { AppendCommand, AppendSource } from '../proto/parser/append.js';
import { codes } from '../proto/protocol/status.js';
import { asTargetError } from '../reply.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

/**
 * APPEND, and MULTIAPPEND (RFC 3502) with several messages stored in one transaction, all or
 * none; CATENATE (RFC 4469); UIDPLUS's APPENDUID. Large messages come from the session's
 * spools, not memory.
 */
export const appendCommand: CommandHandler<AppendCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd, spools) {
    const literal = async (source: AppendSource): Promise<Buffer | AsyncIterable<Buffer>> => {
      if (Buffer.isBuffer(source)) return source;
      const spool = spools.find((sp) => sp.index === source.streamed);
      if (!spool) throw new Error('streamed APPEND literal without its spool');
      return spool.open();
    };
    const reqs: AppendRequest[] = [];
    for (const m of cmd.messages) {
      const data =
        'catenate' in m.source ? await catenate(s, m.source.catenate, literal) : await literal(m.source);
      reqs.push({
        data,
        flags: m.flags,
        ...(m.internalDate ? { internalDate: m.internalDate.getTime() } : {}),
      });
    }
    const r = await s.app.mailbox.messages.appendMany(s.actor!, cmd.mailbox, reqs).catch((e: unknown) => {
      throw asTargetError(e);
    });
    return {
      text: 'APPEND completed',
      code: codes.appendUid(
        r[0]!.uidvalidity,
        r.map((x) => x.uid),
      ),
    };
  },
};
