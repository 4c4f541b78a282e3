import type { SimpleCommand } from '../proto/parser/simple.js';
import { isIdleDone } from '../proto/parser/simple.js';
import { continuation } from '../proto/protocol/status.js';
import { syncSelected } from '../sync.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

/**
 * IDLE (RFC 2177): changes of the selected folder are pushed as they are published (the session
 * queues a sync on each change), until the client sends DONE.
 */
export const idleCommand: CommandHandler<SimpleCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    await syncSelected(s, true);
    s.idling = true;
    s.expectLine(async (line) => {
      s.idling = false;
      if (!isIdleDone(line)) {
        await s.bad(cmd.tag, 'Expected DONE');
        return;
      }
      await syncSelected(s, true);
      await s.ok(cmd.tag, 'IDLE terminated');
    });
    await s.send(continuation('idling'));
    return null;
  },
};
