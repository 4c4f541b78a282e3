import { ImapParseError, UnknownCommandError } from '../errors.js';
import type { RawCommand } from '../receiver.js';
import { type AclCommand, parseAcl } from './acl.js';
import { type AppendCommand, parseAppend } from './append.js';
import { type AuthenticateCommand, parseAuthenticate } from './authenticate.js';
import { type CompressCommand, parseCompress } from './compress.js';
import { type CopyCommand, parseCopy } from './copy.js';
import { type CreateCommand, parseCreate } from './create.js';
import { type EnableCommand, parseEnable } from './enable.js';
import { type ExpungeCommand, parseExpunge } from './expunge.js';
import { type FetchCommand, parseFetch } from './fetch.js';
import { type IdCommand, parseId } from './id.js';
import { type ListCommand, type LsubCommand, parseList, parseLsub } from './list.js';
import { type LoginCommand, parseLogin } from './login.js';
import { type MailboxCommand, parseMailboxCommand } from './mailbox.js';
import { type MetadataCommand, parseMetadata } from './metadata.js';
import { type QuotaCommand, parseQuota } from './quota.js';
import { type ParseContext, TokenReader } from './reader.js';
import { parseRename, type RenameCommand } from './rename.js';
import { parseSearch, type SearchCommand } from './search.js';
import { parseSelect, type SelectCommand } from './select.js';
import { parseSimple, type SimpleCommand } from './simple.js';
import { parseSort, type SortCommand } from './sort.js';
import { parseStatus, type StatusCommand } from './status.js';
import { parseStore, type StoreCommand } from './store.js';
import { parseThread, type ThreadCommand } from './thread.js';

export type ImapCommand =
  | SimpleCommand
  | AuthenticateCommand
  | LoginCommand
  | EnableCommand
  | SelectCommand
  | CreateCommand
  | MailboxCommand
  | RenameCommand
  | ListCommand
  | LsubCommand
  | StatusCommand
  | AppendCommand
  | ExpungeCommand
  | SearchCommand
  | FetchCommand
  | StoreCommand
  | CopyCommand
  | SortCommand
  | ThreadCommand
  | AclCommand
  | QuotaCommand
  | IdCommand
  | MetadataCommand
  | CompressCommand;

type Parser = (tag: string, uid: boolean, r: TokenReader) => ImapCommand;

const PARSERS: Record<string, Parser> = {
  CAPABILITY: (t, _u, r) => parseSimple('CAPABILITY', t, r),
  NOOP: (t, _u, r) => parseSimple('NOOP', t, r),
  LOGOUT: (t, _u, r) => parseSimple('LOGOUT', t, r),
  STARTTLS: (t, _u, r) => parseSimple('STARTTLS', t, r),
  CHECK: (t, _u, r) => parseSimple('CHECK', t, r),
  CLOSE: (t, _u, r) => parseSimple('CLOSE', t, r),
  UNSELECT: (t, _u, r) => parseSimple('UNSELECT', t, r),
  IDLE: (t, _u, r) => parseSimple('IDLE', t, r),
  NAMESPACE: (t, _u, r) => parseSimple('NAMESPACE', t, r),
  AUTHENTICATE: (t, _u, r) => parseAuthenticate(t, r),
  LOGIN: (t, _u, r) => parseLogin(t, r),
  ENABLE: (t, _u, r) => parseEnable(t, r),
  SELECT: (t, _u, r) => parseSelect('SELECT', t, r),
  EXAMINE: (t, _u, r) => parseSelect('EXAMINE', t, r),
  CREATE: (t, _u, r) => parseCreate(t, r),
  DELETE: (t, _u, r) => parseMailboxCommand('DELETE', t, r),
  SUBSCRIBE: (t, _u, r) => parseMailboxCommand('SUBSCRIBE', t, r),
  UNSUBSCRIBE: (t, _u, r) => parseMailboxCommand('UNSUBSCRIBE', t, r),
  RENAME: (t, _u, r) => parseRename(t, r),
  LIST: (t, _u, r) => parseList(t, r),
  LSUB: (t, _u, r) => parseLsub(t, r),
  STATUS: (t, _u, r) => parseStatus(t, r),
  APPEND: (t, _u, r) => parseAppend(t, r),
  EXPUNGE: (t, u, r) => parseExpunge(t, u, r),
  SEARCH: (t, u, r) => parseSearch(t, u, r),
  FETCH: (t, u, r) => parseFetch(t, u, r),
  STORE: (t, u, r) => parseStore(t, u, r),
  COPY: (t, u, r) => parseCopy('COPY', t, u, r),
  MOVE: (t, u, r) => parseCopy('MOVE', t, u, r),
  SORT: (t, u, r) => parseSort(t, u, r),
  THREAD: (t, u, r) => parseThread(t, u, r),
  GETACL: (t, _u, r) => parseAcl('GETACL', t, r),
  SETACL: (t, _u, r) => parseAcl('SETACL', t, r),
  DELETEACL: (t, _u, r) => parseAcl('DELETEACL', t, r),
  LISTRIGHTS: (t, _u, r) => parseAcl('LISTRIGHTS', t, r),
  MYRIGHTS: (t, _u, r) => parseAcl('MYRIGHTS', t, r),
  GETQUOTA: (t, _u, r) => parseQuota('GETQUOTA', t, r),
  GETQUOTAROOT: (t, _u, r) => parseQuota('GETQUOTAROOT', t, r),
  SETQUOTA: (t, _u, r) => parseQuota('SETQUOTA', t, r),
  ID: (t, _u, r) => parseId(t, r),
  GETMETADATA: (t, _u, r) => parseMetadata('GETMETADATA', t, r),
  SETMETADATA: (t, _u, r) => parseMetadata('SETMETADATA', t, r),
  COMPRESS: (t, _u, r) => parseCompress(t, r),
};

const UID_COMMANDS = new Set(['FETCH', 'STORE', 'COPY', 'MOVE', 'SEARCH', 'SORT', 'THREAD', 'EXPUNGE']);

/**
 * Turns a received command into its typed form. Throws UnknownCommandError for a name this layer
 * does not know, ImapParseError (tagged) for anything malformed; nothing else.
 */
export function parseCommand(raw: RawCommand, ctx: ParseContext = { utf8: false }): ImapCommand {
  const parse = Object.hasOwn(PARSERS, raw.name) ? PARSERS[raw.name] : undefined;
  if (!parse) throw new UnknownCommandError(raw.uid ? `UID ${raw.name}` : raw.name, raw.tag);
  if (raw.uid && !UID_COMMANDS.has(raw.name))
    throw new ImapParseError(`UID ${raw.name} is not a command`, { tag: raw.tag });
  try {
    return parse(raw.tag, raw.uid, new TokenReader(raw.tokens, ctx));
  } catch (e) {
    if (e instanceof ImapParseError && e.tag === undefined) {
      const opts: { tag: string; status: 'BAD' | 'NO'; code?: string } = { tag: raw.tag, status: e.status };
      if (e.code !== undefined) opts.code = e.code;
      throw new ImapParseError(e.message, opts);
    }
    throw e;
  }
}

export type { ParseContext } from './reader.js';
