import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { OperatorError } from '../../core/errors.js';
import { decodeUtf7 } from '../../imap/proto/utf7.js';
import type { ImportMessage, ImportSource } from './import-message.js';
import { toCrlf } from './import-message.js';
import { cyrusHeaderName, parseCyrusHeader, parseCyrusIndex } from './cyrus-index.js';
import { parseDovecotKeywords, parseMaildirName } from './maildir-name.js';

/**
 * maildir++: Courier's and Dovecot's default, INBOX at the top and `.A.B` for A/B.
 * fs: Dovecot's LAYOUT=fs, folders as nested directories each with cur/new/tmp.
 * cyrus: a Cyrus spool, `N.` files per folder directory; flags, internal dates and expunges from
 * each folder's cyrus.index. Either one user's directory in the legacy layout (sub-folders as
 * directories), or with `cyrusUser` a whole partition, any layout (see cyrusUserFolders).
 */
export type MaildirLayout = 'maildir++' | 'fs' | 'cyrus';

/** The CLI's names: dovecot (either of its layouts, by what is on disk), courier, cyrus. */
export function layoutFor(name: string | undefined, root: string): MaildirLayout {
  if (name === 'cyrus') return 'cyrus';
  if (name === 'courier') return 'maildir++';
  if (name !== undefined && name !== 'dovecot')
    throw new Error(`--layout: "${name}" is not dovecot, courier or cyrus`);
  const dirs = readdirSync(root, { withFileTypes: true }).filter(
    (d) => d.isDirectory() && !['cur', 'new', 'tmp'].includes(d.name),
  );
  return dirs.some((d) => d.name.startsWith('.')) || !dirs.length ? 'maildir++' : 'fs';
}

interface FolderDir {
  folder: string;
  /** Directories holding the message files. */
  dirs: string[];
}

const isMaildir = (d: string) => existsSync(join(d, 'cur')) || existsSync(join(d, 'new'));
const subdirs = (d: string) =>
  readdirSync(d, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

function maildirFolders(root: string, layout: MaildirLayout): FolderDir[] {
  const mailDirs = (d: string) => ['new', 'cur'].map((s) => join(d, s)).filter((p) => existsSync(p));
  if (layout === 'maildir++') {
    const out: FolderDir[] = isMaildir(root) ? [{ folder: 'INBOX', dirs: mailDirs(root) }] : [];
    for (const name of subdirs(root).filter(
      (n) => n.startsWith('.') && n.length > 1 && isMaildir(join(root, n)),
    )) {
      // Courier names them `.INBOX.Sub` in some setups; the INBOX. prefix is the namespace, not a folder.
      const path = name
        .slice(1)
        .replace(/^INBOX\./, '')
        .split('.')
        .map(decodeUtf7)
        .join('/');
      out.push({ folder: path, dirs: mailDirs(join(root, name)) });
    }
    return out;
  }
  const out: FolderDir[] = [];
  const walk = (dir: string, path: string[]) => {
    if (layout === 'fs' ? isMaildir(dir) : true)
      out.push({
        folder: path.length ? path.map(decodeUtf7).join('/') : 'INBOX',
        dirs: layout === 'fs' ? mailDirs(dir) : [dir],
      });
    for (const n of subdirs(dir)) if (!['cur', 'new', 'tmp'].includes(n)) walk(join(dir, n), [...path, n]);
  };
  walk(root, []);
  return out;
}

/**
 * A user's folders anywhere below a Cyrus partition, named by the internal name in each folder's
 * cyrus.header (Cyrus 3): the default layout keeps folders by mailbox id (uuid/X/Y/ID), so only
 * the header says whose folder it is. `user` is `alice` or, with virtual domains,
 * `alice@example.com`; internal names are `[example.com!]user.alice.Sub.Sub2`, with `^` for a
 * dot in a name and modified UTF-7 for the rest.
 */
function cyrusUserFolders(root: string, user: string): FolderDir[] {
  const at = user.lastIndexOf('@');
  const local = (at < 0 ? user : user.slice(0, at)).replace(/\./g, '^');
  const inbox = `${at < 0 ? '' : `${user.slice(at + 1)}!`}user.${local}`;
  const byFolder = new Map<string, string>();
  const walk = (dir: string) => {
    const header = join(dir, 'cyrus.header');
    if (existsSync(header)) {
      let name: string | undefined;
      try {
        name = cyrusHeaderName(readFileSync(header, 'latin1'));
      } catch (e) {
        throw new Error(`${header}: ${(e as Error).message}`);
      }
      if (name === undefined)
        throw new OperatorError(
          `${header}: a Cyrus 2 header does not name its folder; import the user's directory (e.g. user/${local}) without --cyrus-user`,
        );
      if (name === inbox || name.startsWith(`${inbox}.`)) {
        const folder =
          name === inbox
            ? 'INBOX'
            : name
                .slice(inbox.length + 1)
                .split('.')
                .map((p) => decodeUtf7(p.replace(/\^/g, '.')))
                .join('/');
        const other = byFolder.get(folder);
        if (other) throw new Error(`${dir} and ${other} both hold ${name}`);
        byFolder.set(folder, dir);
      }
    }
    for (const n of subdirs(dir)) walk(join(dir, n));
  };
  walk(root);
  if (!byFolder.has('INBOX'))
    throw new OperatorError(`${root}: no folder of Cyrus user ${user} (no cyrus.header naming ${inbox})`);
  return [...byFolder]
    .sort(([a], [b]) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([folder, dir]) => ({ folder, dirs: [dir] }));
}

function keywordsOf(dir: string): Map<string, string> {
  const file = join(dir, '..', 'dovecot-keywords');
  return existsSync(file) ? parseDovecotKeywords(readFileSync(file, 'utf8')) : new Map();
}

const CYRUS_MESSAGE = /^\d+\.$/;

export class MaildirSource implements ImportSource {
  readonly name: string;
  private readonly folderDirs: FolderDir[];
  constructor(
    root: string,
    private readonly layout: MaildirLayout,
    opts: { cyrusUser?: string } = {},
  ) {
    if (opts.cyrusUser !== undefined && layout !== 'cyrus')
      throw new OperatorError('a Cyrus user is only for the cyrus layout');
    this.name = `maildir ${root} (${layout}${opts.cyrusUser ? `, user ${opts.cyrusUser}` : ''})`;
    if (opts.cyrusUser) this.folderDirs = cyrusUserFolders(root, opts.cyrusUser);
    else if (layout === 'cyrus' && !existsSync(join(root, 'cyrus.header')) && existsSync(join(root, 'uuid')))
      throw new OperatorError(
        `${root} is a Cyrus partition (folders by mailbox id under uuid/): name the user with --cyrus-user`,
      );
    else this.folderDirs = maildirFolders(root, layout);
  }

  async *folders(): AsyncIterable<string> {
    for (const f of this.folderDirs) yield f.folder;
  }

  async *messages(): AsyncIterable<ImportMessage> {
    for (const { folder, dirs } of this.folderDirs) {
      if (this.layout === 'cyrus') {
        yield* cyrusMessages(folder, dirs[0]!);
        continue;
      }
      const keywords = dirs[0] ? keywordsOf(dirs[0]) : new Map<string, string>();
      for (const file of this.inOrder(dirs)) {
        const st = statSync(file);
        if (!st.isFile()) continue;
        const parsed = parseMaildirName(basename(file));
        const flags = [
          ...parsed.flags,
          ...parsed.keywordLetters.flatMap((l) => (keywords.has(l) ? [keywords.get(l)!] : [])),
        ];
        const raw = toCrlf(await readFile(file));
        // Dovecot and Courier keep the received time as the file's mtime.
        yield { folder, flags, internalDate: Math.floor(st.mtimeMs), size: raw.length, raw };
      }
    }
  }

  /**
   * A folder's message files in the order the old server numbered them: Dovecot by its
   * dovecot-uidlist, otherwise by name (which starts with the delivery time).
   */
  private inOrder(dirs: readonly string[]): string[] {
    const uids = dirs[0] ? dovecotUids(join(dirs[0], '..')) : new Map<string, number>();
    const files = dirs.flatMap((d) =>
      readdirSync(d)
        .filter((n) => !n.startsWith('.'))
        .map((n) => ({ file: join(d, n), base: n.replace(/[:!;]2,.*$/, '') })),
    );
    const rank = (f: { base: string }) => uids.get(f.base) ?? Number.MAX_SAFE_INTEGER;
    return files
      .sort((a, b) => rank(a) - rank(b) || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))
      .map((f) => f.file);
  }
}

/**
 * A Cyrus folder in UID order with the flags and internal dates of its cyrus.index, leaving out
 * what the index marks expunged (delayed expunge keeps those files). Files the index does not
 * list (delivered after it was written, or left by a crash) come last, without flags, as Cyrus's
 * reconstruct would add them; without an index every file comes that way.
 */
async function* cyrusMessages(folder: string, dir: string): AsyncIterable<ImportMessage> {
  const indexFile = join(dir, 'cyrus.index');
  const headerFile = join(dir, 'cyrus.header');
  const records = existsSync(indexFile)
    ? parseCyrusIndex(
        readFileSync(indexFile),
        existsSync(headerFile) ? cyrusKeywords(headerFile) : [],
        indexFile,
      ).sort((a, b) => a.uid - b.uid)
    : [];
  const indexed = new Set(records.map((r) => r.uid));
  for (const r of records) {
    if (r.expunged) continue;
    const file = join(dir, `${r.uid}.`);
    if (!existsSync(file))
      throw new Error(
        `${file}: UID ${r.uid} is in cyrus.index but its file is missing (archived to another partition?)`,
      );
    const raw = toCrlf(await readFile(file));
    yield { folder, flags: r.flags, internalDate: r.internalDate, size: raw.length, raw };
  }
  const unindexed = readdirSync(dir)
    .filter((n) => CYRUS_MESSAGE.test(n) && !indexed.has(parseInt(n)))
    .sort((a, b) => parseInt(a) - parseInt(b));
  for (const n of unindexed) {
    const file = join(dir, n);
    const st = statSync(file);
    if (!st.isFile()) continue;
    const raw = toCrlf(await readFile(file));
    // Cyrus sets a message file's mtime to its internal date.
    yield { folder, flags: [], internalDate: Math.floor(st.mtimeMs), size: raw.length, raw };
  }
}

function cyrusKeywords(headerFile: string): string[] {
  try {
    return parseCyrusHeader(readFileSync(headerFile, 'latin1'));
  } catch (e) {
    throw new Error(`${headerFile}: ${(e as Error).message}`);
  }
}

/** `UID [extensions] :BASENAME` lines of dovecot-uidlist (after its header line) → basename → UID. */
function dovecotUids(maildir: string): Map<string, number> {
  const file = join(maildir, 'dovecot-uidlist');
  const out = new Map<string, number>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const m = /^(\d+)\b.*?:(\S+)$/.exec(line);
    if (m) out.set(m[2]!, Number(m[1]));
  }
  return out;
}
