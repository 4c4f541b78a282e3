import { parseCommand, type ImapCommand } from '../proto/parser/index.js';
import type { RawCommand } from '../proto/receiver.js';
import { tagged } from '../proto/protocol/status.js';
import type { CommandHandler } from './handler.js';
import type { LiteralSpool } from '../literal-spool.js';
import type { ImapSession, SessionState } from '../session.js';
import { syncSelected } from '../sync.js';
import { aclCommands } from './acl.js';
import { appendCommand } from './append.js';
import { authenticateCommand, loginCommand } from './authenticate.js';
import { capabilityCommand } from './capability.js';
import { closeCommand, unselectCommand } from './close.js';
import { compressCommand } from './compress.js';
import { copyCommand } from './copy.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { enableCommand } from './enable.js';
import { expungeCommand } from './expunge.js';
import { fetchCommand } from './fetch.js';
import { idCommand } from './id.js';
import { idleCommand } from './idle.js';
import { listCommand, lsubCommand } from './list.js';
import { logoutCommand } from './logout.js';
import { metadataCommand } from './metadata.js';
import { namespaceCommand } from './namespace.js';
import { checkCommand, noopCommand } from './noop.js';
import { quotaCommand } from './quota.js';
import { renameCommand } from './rename.js';
import { searchCommand } from './search.js';
import { selectCommand } from './select.js';
import { sortCommand } from './sort.js';
import { starttlsCommand } from './starttls.js';
import { statusCommand } from './status.js';
import { storeCommand } from './store.js';
import { subscribeCommand } from './subscribe.js';
import { threadCommand } from './thread.js';

type Handlers = { [N in ImapCommand['name']]: CommandHandler<Extract<ImapCommand, { name: N }>> };

const HANDLERS: Handlers = {
  CAPABILITY: capabilityCommand,
  NOOP: noopCommand,
  LOGOUT: logoutCommand,
  STARTTLS: starttlsCommand,
  AUTHENTICATE: authenticateCommand,
  LOGIN: loginCommand,
  ID: idCommand,
  ENABLE: enableCommand,
  NAMESPACE: namespaceCommand,
  SELECT: selectCommand,
  EXAMINE: selectCommand,
  CREATE: createCommand,
  DELETE: deleteCommand,
  RENAME: renameCommand,
  SUBSCRIBE: subscribeCommand,
  UNSUBSCRIBE: subscribeCommand,
  LIST: listCommand,
  LSUB: lsubCommand,
  STATUS: statusCommand,
  APPEND: appendCommand,
  IDLE: idleCommand,
  CHECK: checkCommand,
  CLOSE: closeCommand,
  UNSELECT: unselectCommand,
  EXPUNGE: expungeCommand,
  SEARCH: searchCommand,
  FETCH: fetchCommand,
  STORE: storeCommand,
  COPY: copyCommand,
  MOVE: copyCommand,
  SORT: sortCommand,
  THREAD: threadCommand,
  GETACL: aclCommands,
  SETACL: aclCommands,
  DELETEACL: aclCommands,
  LISTRIGHTS: aclCommands,
  MYRIGHTS: aclCommands,
  GETQUOTA: quotaCommand,
  GETQUOTAROOT: quotaCommand,
  SETQUOTA: quotaCommand,
  GETMETADATA: metadataCommand,
  SETMETADATA: metadataCommand,
  COMPRESS: compressCommand,
};

function refusal(handler: CommandHandler, state: SessionState): string {
  if (handler.states.includes('notauth')) return 'after login';
  return state === 'notauth' ? 'before login' : 'without a selected mailbox';
}

/** Parses, checks the state, runs the command, sends pending updates and the tagged OK. */
export async function dispatch(
  s: ImapSession,
  raw: RawCommand,
  spools: readonly LiteralSpool[],
): Promise<void> {
  const cmd = parseCommand(raw, { utf8: s.utf8 });
  const handler = HANDLERS[cmd.name] as CommandHandler;
  if (!handler.states.includes(s.state)) {
    await s.bad(cmd.tag, `${raw.uid ? 'UID ' : ''}${cmd.name} is not allowed ${refusal(handler, s.state)}`);
    return;
  }
  const done = await handler.run(s, cmd, spools);
  if (done === null) return;
  if (s.state === 'selected') {
    const bySequence = !('uid' in cmd && cmd.uid);
    await syncSelected(s, handler.sync !== 'no-expunge' || !bySequence);
  }
  s.w.bytes(tagged(cmd.tag, 'OK', done.text, done.code));
  await s.flush();
}
