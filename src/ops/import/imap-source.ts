import { type FetchMessageObject, ImapFlow } from 'imapflow';
import type { ImportMessage, ImportSource } from './import-message.js';

export interface ImapSourceOptions {
  host: string;
  port: number;
  /** Implicit TLS; without it STARTTLS is used when the server offers it. */
  tls: boolean;
  login: string;
  password: string;
  /** Accept any certificate (a server with a self-signed one). */
  insecure?: boolean;
  /** Messages fetched per FETCH command. */
  batch?: number;
  /** Import \All, \Flagged and \Important folders (Gmail's All Mail, Starred, Important) like any other. */
  includeViews?: boolean;
}

/**
 * Attributes of folders that show mail other folders hold (RFC 6154 \All and \Flagged, RFC
 * 8457 \Important): Gmail's "[Gmail]/All Mail", "Starred" and "Important". Copied as folders,
 * every message would be imported twice or more. Only the server's own attributes count, never a
 * guess from the name: a person's folder called "All" is mail.
 */
const VIEW_USES = ['\\all', '\\flagged', '\\important'];

interface SourceFolder {
  path: string;
  folder: string;
  specialUse?: string;
  /** The view attribute it carries (lower case), when it is a view. */
  view?: string;
}

/** What a message is across folders: a view shows the same message with the same size and date. */
function identity(m: FetchMessageObject): string {
  const header = m.headers?.toString('latin1') ?? '';
  const id = /^message-id:[ \t]*((?:.|\r?\n[ \t])*)/im.exec(header)?.[1]?.replace(/\s+/g, '') ?? '';
  return `${id}\0${m.size ?? ''}\0${m.internalDate ? new Date(m.internalDate).getTime() : ''}`;
}

/**
 * Another IMAP server, like imapsync: every selectable folder (read-only), flags and internal
 * dates, bodies fetched in batches. A message's key is its source folder, UIDVALIDITY and UID,
 * so a re-run downloads only what it has not imported.
 *
 * Views (see VIEW_USES) are left out unless `includeViews`, with one exception that keeps mail
 * from being lost: an \All folder is read last and its messages no other folder holds (Gmail's
 * archived mail, which has no label) are imported, into the account's Archive.
 */
export class ImapSource implements ImportSource {
  readonly name: string;
  private readonly client: ImapFlow;
  private connected = false;
  private readonly batch: number;
  private readonly views = new Map<string, number>();

  constructor(private readonly opts: ImapSourceOptions) {
    this.name = `imap ${opts.login}@${opts.host}:${opts.port}`;
    this.batch = opts.batch ?? 200;
    this.client = new ImapFlow({
      host: opts.host,
      port: opts.port,
      secure: opts.tls,
      auth: { user: opts.login, pass: opts.password },
      logger: false,
      tls: { rejectUnauthorized: !opts.insecure },
    });
  }

  private async ready(): Promise<ImapFlow> {
    if (!this.connected) {
      await this.client.connect();
      this.connected = true;
    }
    return this.client;
  }

  /**
   * Source path → folder name (`/`-separated) and special use: the server's SPECIAL-USE or XLIST
   * attribute, else imapflow's guess from well-known names in several languages. Views come
   * marked, and an \All view last: its mail is compared with every other folder's.
   */
  private async folderList(): Promise<SourceFolder[]> {
    const list = await (await this.ready()).list();
    const folders: SourceFolder[] = list
      .filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'))
      .map((f) => {
        const view = this.opts.includeViews
          ? undefined
          : [...f.flags].map((a) => a.toLowerCase()).find((a) => VIEW_USES.includes(a));
        return {
          path: f.path,
          ...(f.specialUse ? { specialUse: f.specialUse } : {}),
          ...(view ? { view } : {}),
          folder:
            f.path.toUpperCase() === 'INBOX'
              ? 'INBOX'
              : f.delimiter
                ? f.path.split(f.delimiter).join('/')
                : f.path,
        };
      });
    return [...folders.filter((f) => f.view !== '\\all'), ...folders.filter((f) => f.view === '\\all')];
  }

  /** The folders whose mail is imported: all but the views, and an \All view for what only it holds. */
  private async importedFolders(): Promise<SourceFolder[]> {
    return (await this.folderList()).filter((f) => !f.view || f.view === '\\all');
  }

  async *folders(): AsyncIterable<string> {
    for (const f of await this.importedFolders()) yield f.folder;
  }

  async specialUses(): Promise<ReadonlyMap<string, string>> {
    const uses = new Map<string, string>();
    for (const f of await this.importedFolders())
      if (f.view) uses.set(f.folder, '\\Archive');
      else if (f.specialUse) uses.set(f.folder, f.specialUse);
    return uses;
  }

  /**
   * After messages(): the views left out, each with the number of its messages not imported
   * from it (for an \All folder, those some other folder holds).
   */
  leftOut(): ReadonlyMap<string, number> {
    return this.views;
  }

  async *messages(opts: {
    metadataOnly: boolean;
    skip: (folder: string, key: string) => boolean;
  }): AsyncIterable<ImportMessage> {
    const client = await this.ready();
    const list = await this.folderList();
    for (const f of list)
      if (f.view && f.view !== '\\all') {
        const status = await client.status(f.path, { messages: true });
        this.views.set(f.folder, (status && status.messages) || 0);
      }
    const compare = list.some((f) => f.view === '\\all');
    // Every message of the other folders, to tell which of the \All folder's are elsewhere.
    const elsewhere = new Set<string>();
    for (const { path, folder, view } of list.filter((f) => !f.view || f.view === '\\all')) {
      const box = await client.mailboxOpen(path, { readOnly: true });
      if (view) this.views.set(folder, 0);
      if (!box.exists) continue;
      const keyOf = (uid: number) =>
        `imap:${this.opts.host}/${path};UIDVALIDITY=${box.uidValidity}/;UID=${uid}`;
      const wanted = [];
      for (const m of await client.fetchAll('1:*', {
        uid: true,
        flags: true,
        internalDate: true,
        size: true,
        ...(compare ? { headers: ['message-id'] } : {}),
      })) {
        if (compare && !view) elsewhere.add(identity(m));
        else if (view && elsewhere.has(identity(m))) {
          this.views.set(folder, this.views.get(folder)! + 1);
          continue;
        }
        if (!opts.skip(folder, keyOf(m.uid))) wanted.push(m);
      }
      for (let i = 0; i < wanted.length; i += this.batch) {
        const slice = wanted.slice(i, i + this.batch);
        const bodies = new Map<number, Buffer>();
        if (!opts.metadataOnly) {
          for (const m of await client.fetchAll(
            slice.map((m) => m.uid).join(','),
            { uid: true, source: true },
            { uid: true },
          ))
            if (m.source) bodies.set(m.uid, m.source);
        }
        for (const m of slice) {
          const raw = bodies.get(m.uid);
          // Expunged on the source between the two fetches: nothing to import.
          if (!opts.metadataOnly && !raw) continue;
          const date = m.internalDate ? new Date(m.internalDate).getTime() : undefined;
          yield {
            folder,
            key: keyOf(m.uid),
            flags: [...(m.flags ?? [])],
            size: raw?.length ?? m.size ?? 0,
            ...(raw ? { raw } : {}),
            ...(date !== undefined && Number.isFinite(date) ? { internalDate: date } : {}),
          };
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.client.logout().catch(() => this.client.close());
  }
}
