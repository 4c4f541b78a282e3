import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeUtf7 } from '../../imap/proto/utf7.js';
import type { ImportMessage, ImportSource } from './import-message.js';
import { toCrlf } from './import-message.js';
import { parseCyrusHeader, parseCyrusIndex } from './cyrus-index.js';
import { parseDovecotKeywords, parseMaildirName } from './maildir-name.js';

/**
 * maildir++: Courier's and Dovecot's default, INBOX at the top and `.A.B` for A/B.
 * fs: Dovecot's LAYOUT=fs, folders as nested directories each with cur/new/tmp.
 * cyrus: a Cyrus spool (legacy directory names), `N.` files per folder directory and sub-folders
 * as directories; flags, internal dates and expunges from each folder's cyrus.index.
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
  ) {
    this.name = `maildir ${root} (${layout})`;
    this.folderDirs = maildirFolders(root, layout);
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
        existsSync(headerFile) ? parseCyrusHeader(readFileSync(headerFile, 'utf8')) : [],
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
