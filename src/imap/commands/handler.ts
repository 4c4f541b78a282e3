import type { ImapCommand } from '../proto/parser/index.js';
import type { ResponseCode } from '../proto/protocol/status.js';
import type { LiteralSpool } from '../literal-spool.js';
import type { ImapSession, SessionState } from '../session.js';

/** What a command ends with: the tagged OK's text and code, or null when it replied itself. */
export type Completion = { text: string; code?: ResponseCode } | null;

export interface CommandHandler<C extends ImapCommand = ImapCommand> {
  states: readonly SessionState[];
  /**
   * Untagged updates of the selected folder sent before the tagged OK. `no-expunge` for FETCH,
   * STORE and SEARCH by sequence number, during which EXPUNGE would renumber messages.
   */
  sync?: 'full' | 'no-expunge';
  /** `spools`: the command's literals that were streamed to disk, by literal index. */
  run(s: ImapSession, cmd: C, spools: readonly LiteralSpool[]): Promise<Completion>;
}

export const ANY: readonly SessionState[] = ['notauth', 'auth', 'selected'];
export const NOT_AUTHENTICATED: readonly SessionState[] = ['notauth'];
export const AUTHENTICATED: readonly SessionState[] = ['auth', 'selected'];
export const SELECTED: readonly SessionState[] = ['selected'];
