import { createHash } from 'node:crypto';
import type { App } from '../../app.js';
import { ConflictError, OperatorError } from '../../core/errors.js';
import type { DeliverRequest, MailboxActor } from '../../mailbox/types.js';
import type { BlobRef } from '../../store/blobs/blob-store.js';
import { noProgress, type ProgressListener } from '../backup/progress.js';
import { ImportLedger } from './import-ledger.js';
import type { ImportMessage, ImportSource } from './import-message.js';

export interface ImportOptions {
  /** Count what would be imported; change nothing. */
  dryRun?: boolean;
  progress?: ProgressListener;
}

export interface FolderCount {
  /** The source's folder. */
  folder: string;
  /** The account's folder it went into, when that differs (a special-use folder of another name). */
  into?: string;
  /** New messages: imported, or that would be in a dry run. */
  imported: number;
  /** Already imported by an earlier run. */
  skipped: number;
  bytes: number;
}

export interface ImportReport {
  source: string;
  user: string;
  dryRun: boolean;
  folders: FolderCount[];
  /** Views the source left out (see ImportSource.leftOut) and how many messages of each. */
  leftOut: { folder: string; messages: number }[];
  imported: number;
  skipped: number;
  bytes: number;
  ms: number;
}

/** Messages stored per batch (one deliverMany, group-committed), and most bytes held for one. */
const BATCH = 64;
const BATCH_BYTES = 32 << 20;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * Imports a source into one account's folders, creating the folder tree, keeping flags and
 * internal dates. Idempotent: every message is recorded in the account's ledger, keyed by its
 * source identity or, lacking one, by folder and content hash; a re-run skips what is there.
 */
export async function runImport(
  app: App,
  address: string,
  source: ImportSource,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const started = performance.now();
  const progress = opts.progress ?? noProgress;
  const dryRun = opts.dryRun ?? false;
  const account = await app.directory.getAccount(address);
  if (!account) throw new OperatorError(`no account ${address}`);
  const actor = await app.mailbox.actorFor(account.id);
  const ledger = ImportLedger.open(app.config.dataDir, account.id);
  const counts = new Map<string, FolderCount>();
  let targets = new Map<string, string>();
  const count = (folder: string) => {
    let c = counts.get(folder);
    if (!c) {
      const into = targetFolder(folder, targets);
      counts.set(
        folder,
        (c = { folder, ...(into === folder ? {} : { into }), imported: 0, skipped: 0, bytes: 0 }),
      );
    }
    return c;
  };
  const made = new Set<string>();
  const leftOut: ImportReport['leftOut'] = [];
  let done = 0;
  let storing = Promise.resolve();
  try {
    if (!dryRun) await app.mailbox.folders.ensureDefaults(account.id);
    targets = await specialUseTargets(app, actor, source);
    for await (const f of source.folders()) {
      count(f);
      if (!dryRun) await ensureFolder(app, actor, targetFolder(f, targets), made);
    }
    const skip = (folder: string, key: string) => {
      const known = ledger.has(`${folder}\t${key}`);
      if (known) count(folder).skipped++;
      return known;
    };
    // Bodies go to the blob store as they are read (fsync per blob is slow, so many at once);
    // a full batch is then stored with one deliverMany, in source order so UIDs follow it, while
    // the source reads the next batch.
    let pending: Pending[] = [];
    let pendingBytes = 0;
    storing = Promise.resolve();
    const flush = async () => {
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      await storing;
      storing = storeBatch(batch);
      storing.catch(() => undefined); // awaited by the next flush or at the end
    };
    const storeBatch = async (batch: Pending[]) => {
      for (const p of batch) await ensureFolder(app, actor, p.into, made);
      const blobs = await Promise.all(batch.map((p) => p.blob));
      const results = await app.mailbox.deliverMany(
        batch.map((p, i) => deliverRequest(account.id, p.m, p.into, blobs[i]!, p.entry)),
      );
      // Ledger lines for what was stored, in order, up to the first failure.
      for (const [i, r] of results.entries()) {
        if (r instanceof Error) throw r;
        ledger.add(batch[i]!.entry);
      }
    };
    for await (const m of source.messages({ metadataOnly: dryRun, skip })) {
      const c = count(m.folder);
      const entry = ledgerKey(m);
      if (ledger.has(entry)) c.skipped++;
      else {
        if (!dryRun) {
          if (!m.raw) throw new Error(`${m.folder}: message without bytes`);
          const blob = app.store.blobs.put(m.raw);
          blob.catch(() => undefined); // awaited by storeBatch; this only keeps an early failure from being unhandled
          pending.push({ m, entry, into: targetFolder(m.folder, targets), blob });
          pendingBytes += m.raw.length;
          if (pending.length >= BATCH || pendingBytes >= BATCH_BYTES) await flush();
        }
        c.imported++;
        c.bytes += m.size;
      }
      progress({ phase: m.folder, done: ++done });
    }
    await flush();
    await storing;
    for (const [folder, messages] of source.leftOut?.() ?? []) leftOut.push({ folder, messages });
  } finally {
    // A batch still being stored writes ledger lines: let it finish (its error, if any, is thrown above).
    await storing.catch(() => undefined);
    ledger.close();
    await source.close?.();
  }
  const folders = [...counts.values()];
  const sum = (k: 'imported' | 'skipped' | 'bytes') => folders.reduce((n, f) => n + f[k], 0);
  return {
    source: source.name,
    user: account.address,
    dryRun,
    folders,
    leftOut,
    imported: sum('imported'),
    skipped: sum('skipped'),
    bytes: sum('bytes'),
    ms: Math.round(performance.now() - started),
  };
}

/** The uses a person files mail into; \All, \Flagged and the like are views, not places. */
const FILED_USES = new Set(['\\sent', '\\drafts', '\\junk', '\\trash', '\\archive']);

/**
 * Source folders with a special use → the account's own folder of that use, so a source's
 * "Gesendet" (\Sent) lands in our Sent. The ledger keeps the source's folder name.
 */
async function specialUseTargets(
  app: App,
  actor: MailboxActor,
  source: ImportSource,
): Promise<Map<string, string>> {
  const uses = (await source.specialUses?.()) ?? new Map<string, string>();
  if (!uses.size) return new Map();
  const ours = new Map<string, string>();
  for (const f of await app.mailbox.folders.list(actor)) {
    const use = f.specialUse?.toLowerCase();
    if (use && !ours.has(use)) ours.set(use, f.name);
  }
  const targets = new Map<string, string>();
  for (const [folder, use] of uses) {
    const to = FILED_USES.has(use.toLowerCase()) ? ours.get(use.toLowerCase()) : undefined;
    if (to) targets.set(folder, to);
  }
  return targets;
}

/** Where a source folder goes: a mapped folder's sub-folders move with it (Gesendet/2019 → Sent/2019). */
function targetFolder(folder: string, targets: ReadonlyMap<string, string>): string {
  let best = '';
  for (const from of targets.keys())
    if ((folder === from || folder.startsWith(from + '/')) && from.length > best.length) best = from;
  return best ? targets.get(best)! + folder.slice(best.length) : folder;
}

function ledgerKey(m: ImportMessage): string {
  if (m.key) return `${m.folder}\t${m.key}`;
  if (!m.raw) throw new Error('a source without message keys must hand over the bytes');
  return `${m.folder}\tsha256:${sha256(m.raw)}`;
}

interface Pending {
  m: ImportMessage;
  entry: string;
  /** The account's folder it goes into. */
  into: string;
  blob: Promise<BlobRef>;
}

function deliverRequest(
  accountId: number,
  m: ImportMessage,
  folder: string,
  blob: BlobRef,
  entry: string,
): DeliverRequest {
  return {
    accountId,
    folder,
    blob,
    prefix: Buffer.alloc(0),
    flags: m.flags.filter((f) => f.toLowerCase() !== '\\recent'),
    internalDate: m.internalDate ?? Date.now(),
    // Commits with the message: a crash before the ledger line is written cannot store it twice.
    dedupeKey: `import:${accountId}:${sha256(entry)}`,
  };
}

/** Creates a folder and its parents, subscribed, unless they exist. */
async function ensureFolder(app: App, actor: MailboxActor, folder: string, made: Set<string>): Promise<void> {
  const parts = folder.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const name = parts.slice(0, i).join('/');
    if (made.has(name) || name.toUpperCase() === 'INBOX') continue;
    try {
      await app.mailbox.folders.create(actor, name);
      await app.mailbox.folders.subscribe(actor, name, true);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
    made.add(name);
  }
}
