import { MailsteadError, PermissionError } from '../core/errors.js';
import { entriesUnder, putEntry, SERVER, SHARED_ENTRY } from '../store/mailbox/metadata-repo.js';
import { resolveFolder } from './access.js';
import type { MailboxContext } from './context.js';
import type { FolderRef, MailboxActor, MetadataEntry } from './types.js';

class BadEntryError extends MailsteadError {
  constructor(entry: string) {
    super(`bad metadata entry ${entry}`, { operator: true, imap: { status: 'BAD' } });
  }
}

/** An entry name must start with /private or /shared (RFC 5464 section 3.2). */
function scopeOf(entry: string): 'private' | 'shared' {
  const m = /^\/(private|shared)(\/|$)/i.exec(entry);
  if (!m || /[*%]|\/\/|\/$/.test(entry) || /[\x00-\x1f]/.test(entry)) throw new BadEntryError(entry);
  return m[1]!.toLowerCase() as 'private' | 'shared';
}

/**
 * RFC 5464 METADATA on folders and the server. /private entries are the actor's own, /shared
 * ones everyone's. Reading a folder's entries takes `l`; writing /private takes `l`, /shared `w`.
 * Server entries: anyone reads, only the system writes.
 */
export class MetadataService {
  constructor(private readonly ctx: MailboxContext) {}

  private async target(actor: MailboxActor, folder: FolderRef | null, need: string): Promise<number> {
    if (folder === null) {
      if (need && !actor.system) throw new PermissionError('only an administrator sets server metadata');
      return SERVER;
    }
    return (await resolveFolder(this.ctx.db, actor, folder, need || 'l')).row.id;
  }

  /** Entries named, and with `depth` their descendants (1: children only, 'infinity': all). */
  async get(
    actor: MailboxActor,
    folder: FolderRef | null,
    entries: readonly string[],
    depth: 0 | 1 | 'infinity' = 0,
  ): Promise<MetadataEntry[]> {
    const folderId = await this.target(actor, folder, '');
    const out: MetadataEntry[] = [];
    for (const entry of entries) {
      const scope = scopeOf(entry);
      const rows = await entriesUnder(
        this.ctx.db,
        folderId,
        scope === 'private' ? actor.accountId : SHARED_ENTRY,
        entry,
      );
      for (const r of rows) {
        const level = r.entry === entry ? 0 : r.entry.slice(entry.length + 1).split('/').length;
        if (depth === 'infinity' || level <= depth) out.push({ entry: r.entry, value: r.value });
      }
    }
    return out;
  }

  /** Sets entries; a null value deletes one. */
  async set(actor: MailboxActor, folder: FolderRef | null, entries: readonly MetadataEntry[]): Promise<void> {
    await this.ctx.db.tx(async (t) => {
      for (const e of entries) {
        const scope = scopeOf(e.entry);
        const folderId =
          folder === null
            ? await this.target(actor, null, 'w')
            : (await resolveFolder(t, actor, folder, scope === 'shared' ? 'w' : 'l')).row.id;
        await putEntry(
          t,
          { folderId, accountId: scope === 'private' ? actor.accountId : SHARED_ENTRY, entry: e.entry },
          e.value,
        );
      }
    });
  }
}
