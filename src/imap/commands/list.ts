import { parentPath, SEPARATOR } from '../../mailbox/folder-names.js';
import type { FolderInfo } from '../../mailbox/types.js';
import type { ListCommand, LsubCommand } from '../proto/parser/list.js';
import { list, lsub, type ListEntry } from '../proto/protocol/mailbox.js';
import { myRights } from '../proto/protocol/misc.js';
import { listMatcher } from '../list-pattern.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';
import { writeStatus } from './status.js';

/** A folder, or a level of the hierarchy that holds folders but is none itself (`Other Users`). */
interface Node {
  name: string;
  info: FolderInfo | undefined;
  hasChildren: boolean;
}

function hierarchy(folders: readonly FolderInfo[]): Node[] {
  const nodes = new Map<string, Node>(
    folders.map((f) => [f.name, { name: f.name, info: f, hasChildren: f.hasChildren }]),
  );
  for (const f of folders) {
    for (let p = parentPath(f.name); p !== null; p = parentPath(p)) {
      const n = nodes.get(p);
      if (n) n.hasChildren = true;
      else nodes.set(p, { name: p, info: undefined, hasChildren: true });
    }
  }
  // INBOX first, then by name, as clients list them.
  return [...nodes.values()].sort((a, b) =>
    a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
}

function attributes(n: Node, cmd: ListCommand): string[] {
  const out: string[] = [];
  if (!n.info) out.push('\\Noselect');
  out.push(n.hasChildren ? '\\HasChildren' : '\\HasNoChildren');
  if (n.info?.subscribed && cmd.returnOptions.subscribed) out.push('\\Subscribed');
  if (n.info?.specialUse) out.push(n.info.specialUse);
  return out;
}

/** LIST with LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154) and LIST-STATUS (RFC 5819). */
export const listCommand: CommandHandler<ListCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    if (!cmd.extended && cmd.patterns[0] === '') {
      list(s.w, { attributes: ['\\Noselect'], delimiter: SEPARATOR, name: '' });
      return { text: 'LIST completed' };
    }
    const matchers = cmd.patterns.map((p) => listMatcher(cmd.reference, p));
    const matches = (name: string) => matchers.some((m) => m(name));
    const subscribedOnly = cmd.selection.includes('SUBSCRIBED');
    const specialOnly = cmd.selection.includes('SPECIAL-USE');
    const selected = (n: Node) =>
      (!subscribedOnly || !!n.info?.subscribed) && (!specialOnly || !!n.info?.specialUse);
    const nodes = hierarchy(await s.app.mailbox.folders.list(s.actor!));
    for (const n of nodes) {
      if (!matches(n.name)) continue;
      const entry: ListEntry = { attributes: attributes(n, cmd), delimiter: SEPARATOR, name: n.name };
      if (!selected(n)) {
        // RECURSIVEMATCH: a parent is listed for its selected descendants (RFC 5258 CHILDINFO).
        const prefix = n.name + SEPARATOR;
        if (
          !cmd.selection.includes('RECURSIVEMATCH') ||
          !nodes.some((d) => d.name.startsWith(prefix) && selected(d))
        )
          continue;
        entry.childInfo = ['SUBSCRIBED'];
      }
      list(s.w, entry);
      if (n.info && cmd.returnOptions.myRights) myRights(s.w, n.name, n.info.rights);
      if (n.info && cmd.returnOptions.status)
        await writeStatus(s, n.name, cmd.returnOptions.status).catch(() => undefined);
      await s.maybeFlush();
    }
    return { text: 'LIST completed' };
  },
};

/** LSUB (RFC 3501; kept for IMAP4rev1 clients). */
export const lsubCommand: CommandHandler<LsubCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    const matches = listMatcher(cmd.reference, cmd.pattern);
    for (const f of await s.app.mailbox.folders.list(s.actor!)) {
      if (f.subscribed && matches(f.name)) lsub(s.w, { attributes: [], delimiter: SEPARATOR, name: f.name });
    }
    return { text: 'LSUB completed' };
  },
};
