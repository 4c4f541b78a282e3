import { ImapFlow } from 'imapflow';
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
}

/**
 * Another IMAP server, like imapsync: every selectable folder (read-only), flags and internal
 * dates, bodies fetched in batches. A message's key is its source folder, UIDVALIDITY and UID,
 * so a re-run downloads only what it has not imported.
 */
export class ImapSource implements ImportSource {
  readonly name: string;
  private readonly client: ImapFlow;
  private connected = false;
  private readonly batch: number;

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
   * attribute, else imapflow's guess from well-known names in several languages.
   */
  private async folderList(): Promise<{ path: string; folder: string; specialUse?: string }[]> {
    const list = await (await this.ready()).list();
    return list
      .filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'))
      .map((f) => ({
        path: f.path,
        ...(f.specialUse ? { specialUse: f.specialUse } : {}),
        folder:
          f.path.toUpperCase() === 'INBOX'
            ? 'INBOX'
            : f.delimiter
              ? f.path.split(f.delimiter).join('/')
              : f.path,
      }));
  }

  async *folders(): AsyncIterable<string> {
    for (const f of await this.folderList()) yield f.folder;
  }

  async specialUses(): Promise<ReadonlyMap<string, string>> {
    const uses = new Map<string, string>();
    for (const f of await this.folderList()) if (f.specialUse) uses.set(f.folder, f.specialUse);
    return uses;
  }

  async *messages(opts: {
    metadataOnly: boolean;
    skip: (folder: string, key: string) => boolean;
  }): AsyncIterable<ImportMessage> {
    const client = await this.ready();
    for (const { path, folder } of await this.folderList()) {
      const box = await client.mailboxOpen(path, { readOnly: true });
      if (!box.exists) continue;
      const keyOf = (uid: number) =>
        `imap:${this.opts.host}/${path};UIDVALIDITY=${box.uidValidity}/;UID=${uid}`;
      const wanted = [];
      for (const m of await client.fetchAll('1:*', {
        uid: true,
        flags: true,
        internalDate: true,
        size: true,
      })) {
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
