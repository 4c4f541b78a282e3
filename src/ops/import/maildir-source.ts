import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeUtf7 } from '../../imap/proto/utf7.js';
import type { ImportMessage, ImportSource } from './import-message.js';
import { toCrlf } from './import-message.js';
import { parseDovecotKeywords, parseMaildirName } from './maildir-name.js';

/**
 * maildir++: Courier's and Dovecot's default, INBOX at the top and `.A.B` for A/B.
 * fs: Dovecot's LAYOUT=fs, folders as nested directories each with cur/new/tmp.
 * cyrus: a Cyrus spool, `N.` files per folder directory and sub-folders as directories; flags
 * live in cyrus.index, which is not read, so messages come without flags.
 */
export type MaildirLayout = 'maildir++' | 'fs' | 'cyrus';

/** The CLI's names: dovecot (either of its layouts, by what is on disk), courier, cyrus. */
export function layoutFor(name: string | undefined, root: string): MaildirLayout {
  if (name === 'cyrus') return 'cyrus';
  if (name === 'courier') return 'maildir++';
  if (name !== undefined && name !== 'dovecot') throw new Error(`--layout: "${name}" is not dovecot, courier or cyrus`);
  const dirs = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && !['cur', 'new', 'tmp'].includes(d.name));
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
    for (const name of subdirs(root).filter((n) => n.startsWith('.') && n.length > 1 && isMaildir(join(root, n)))) {
      // Courier names them `.INBOX.Sub` in some setups; the INBOX. prefix is the namespace, not a folder.
      const path = name.slice(1).replace(/^INBOX\./, '').split('.').map(decodeUtf7).join('/');
      out.push({ folder: path, dirs: mailDirs(join(root, name)) });
    }
    return out;
  }
  const out: FolderDir[] = [];
  const walk = (dir: string, path: string[]) => {
    if (layout === 'fs' ? isMaildir(dir) : true) out.push({ folder: path.length ? path.map(decodeUtf7).join('/') : 'INBOX', dirs: layout === 'fs' ? mailDirs(dir) : [dir] });
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
      for (const dir of dirs) {
        const keywords = this.layout === 'cyrus' ? new Map<string, string>() : keywordsOf(dir);
        const names = readdirSync(dir).filter((n) => (this.layout === 'cyrus' ? CYRUS_MESSAGE.test(n) : !n.startsWith('.')));
        names.sort((a, b) => (this.layout === 'cyrus' ? parseInt(a) - parseInt(b) : a < b ? -1 : a > b ? 1 : 0));
        for (const n of names) {
          const file = join(dir, n);
          const st = statSync(file);
          if (!st.isFile()) continue;
          const parsed = this.layout === 'cyrus' ? { flags: [], keywordLetters: [] } : parseMaildirName(n);
          const flags = [...parsed.flags, ...parsed.keywordLetters.flatMap((l) => (keywords.has(l) ? [keywords.get(l)!] : []))];
          const raw = toCrlf(await readFile(file));
          // Dovecot and Courier keep the received time as the file's mtime.
          yield { folder, flags, internalDate: Math.floor(st.mtimeMs), size: raw.length, raw };
        }
      }
    }
  }
}
