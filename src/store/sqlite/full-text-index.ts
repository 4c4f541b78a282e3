import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { ThreadRpc, type RpcPort } from '../../core/thread-rpc.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Row, SqlValue } from '../sql.js';
import {
  applyItems,
  markQueuedAll,
  openFullTextFile,
  resetIndex,
  stateOf,
  textLength,
  type FullTextItem,
} from './full-text-file.js';

/** What the index needs of the store's connection (SqliteDb). */
export interface FullTextHost {
  readonly raw: Db;
  allSync<T = Row>(sql: string, params?: readonly SqlValue[]): T[];
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<unknown>;
  durable(): Promise<void>;
}

export interface FullTextRecovery {
  blobs: BlobStore;
  /** The text indexed for a stored message, parsed as at delivery. */
  textOf(raw: Buffer): Promise<{ headers: string; body: Uint8Array }>;
  log: Logger;
}

/** Restarts of the worker within a minute before the main thread writes the index itself. */
const MAX_RESTARTS = 3;
/**
 * Text waiting for the writer (`textLength`), beyond which a transaction that adds more waits
 * after its commit: memory and the wait of a SEARCH stay bounded when deliveries outrun the
 * writer (80 bodies of 100 KB, a third of a second of the writer on a free core).
 */
const MAX_PENDING_CHARS = 8 << 20;
/** Bodies re-read from blobs per step of a recovery: parsed on this thread, so in small steps. */
const RECOVERY_STEP = 50;

/**
 * The SQLite store's full-text index, in a file of its own written by a worker thread.
 *
 * A body to index (or to remove) gets a row in mailbox_fts_queue in the transaction that stores
 * it, and its text waits here (`stage`) until that transaction commits; then, once the commit is
 * on disk, it goes to the worker, which writes whatever has arrived in one transaction. A queue
 * row is deleted only after the worker's transaction is on disk, so rows left at a crash are
 * exactly the bodies the index may lack: the next start re-reads them from their blobs
 * (`startRecovery`). The index file records the highest row it applied; a store whose queue has
 * not reached that number is older than the index (a snapshot put back) and the index is rebuilt.
 *
 * SEARCH reads through a read-only connection that attaches the index file: attached to the
 * store's own connection, every BEGIN IMMEDIATE there would also take the index's write lock
 * and wait for the worker's batch.
 */
export class FullTextIndex {
  private readonly staged = new Map<number, FullTextItem>();
  /** Committed and not yet written, by queue seq. */
  private readonly pending = new Map<number, FullTextItem>();
  private applied: number[] = [];
  private pendingChars = 0;
  private waiters: Array<{ upTo: number; resolve(): void }> = [];
  private roomWaiters: Array<() => void> = [];
  private posting: Promise<void> = Promise.resolve();
  private worker: Worker | undefined;
  private rpc: ThreadRpc | undefined;
  private restarts: number[] = [];
  /** The index file opened on this thread, once the worker has failed too often. */
  private local: Db | undefined;
  private readonly reader: Db;
  private readonly statements = new Map<string, Statement>();
  private recovery: Promise<void> | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private log: Logger = silentLogger();

  constructor(
    private readonly host: FullTextHost,
    readonly file: string,
  ) {
    // Created here first: the reader below cannot attach a file that does not exist.
    openFullTextFile(file).close();
    this.startWorker();
    this.reader = new Database(host.raw.name, { readonly: true, timeout: 10_000 });
    this.reader.prepare('ATTACH DATABASE ? AS fulltext').run(file);
  }

  /** A body's text to write once the transaction that added queue row `item.seq` commits. */
  stage(item: FullTextItem): void {
    this.staged.set(item.seq, item);
  }

  /**
   * Called right after a commit, before any other statement: the staged items whose queue rows
   * are there were committed (a rolled-back savepoint took its rows with it). Returns how many.
   */
  committed(): number {
    if (!this.staged.size) return 0;
    let lo = Infinity;
    let hi = 0;
    for (const seq of this.staged.keys()) {
      lo = Math.min(lo, seq);
      hi = Math.max(hi, seq);
    }
    const rows = this.host.allSync<{ seq: number; body_id: number }>(
      'SELECT seq, body_id FROM mailbox_fts_queue WHERE seq BETWEEN ? AND ?',
      [lo, hi],
    );
    const items: FullTextItem[] = [];
    for (const r of rows) {
      const it = this.staged.get(Number(r.seq));
      if (it && it.bodyId === Number(r.body_id)) items.push(it);
    }
    this.staged.clear();
    if (!items.length) return 0;
    items.sort((a, b) => a.seq - b.seq);
    this.addPending(items);
    // In commit order, each once its commit is on disk: the index never runs ahead of the store.
    this.posting = this.posting
      .then(() => this.host.durable())
      .catch(() => undefined)
      .then(() => this.post(items));
    return items.length;
  }

  /** Resolves once the text waiting for the writer is within bounds again. */
  room(): Promise<void> {
    if (this.pendingChars <= MAX_PENDING_CHARS) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private addPending(items: FullTextItem[]): void {
    for (const it of items) {
      this.pending.set(it.seq, it);
      this.pendingChars += textLength(it);
    }
  }

  rolledBack(): void {
    this.staged.clear();
  }

  /** Resolves once every body committed so far is in the index (a recovery under way included). */
  async flush(): Promise<void> {
    await this.recovery;
    let upTo = 0;
    for (const seq of this.pending.keys()) upTo = Math.max(upTo, seq);
    await this.settled(upTo);
  }

  /** Runs a query on the reader, which sees the store's commits and the index as `fulltext`. */
  query<T = Row>(sql: string, params: readonly SqlValue[]): T[] {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.reader.prepare(sql);
      if (this.statements.size > 100) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s.all(...params.map((p) => (typeof p === 'boolean' ? Number(p) : p))) as T[];
  }

  /** Indexes in the background what the queue holds from before this start (crash, upgrade). */
  startRecovery(opts: FullTextRecovery): void {
    this.log = opts.log;
    this.recovery ??= this.recover(opts).catch((e: unknown) => {
      opts.log.error(
        { event: 'fulltext_recovery_failed', err: (e as Error).message },
        `full-text index: recovery stopped: ${(e as Error).message}; it resumes at the next start`,
      );
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.recovery;
    await this.settled(Math.max(0, ...this.pending.keys()));
    clearInterval(this.pruneTimer);
    await this.prune();
    const worker = this.worker;
    if (worker && this.rpc) {
      worker.ref();
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await this.rpc.call('close').catch(() => undefined);
      await exited;
    }
    this.local?.close();
    this.reader.close();
  }

  /** A call to the worker, which keeps this process alive meanwhile. */
  private async call(method: string): Promise<void> {
    this.worker?.ref();
    try {
      await this.rpc?.call(method);
    } finally {
      if (!this.pending.size) this.worker?.unref();
    }
  }

  private startWorker(): void {
    const worker = new Worker(new URL('./full-text-worker.js', import.meta.url), {
      workerData: { file: this.file },
    });
    // Referenced only while it has work: an idle index must not keep a finished process alive.
    worker.unref();
    const rpc = new ThreadRpc(worker as unknown as RpcPort, {});
    this.worker = worker;
    this.rpc = rpc;
    const died = (e: Error) => this.died(worker, rpc, e);
    worker.once('error', died);
    worker.once('exit', (code) => died(new Error(`full-text worker ended (exit code ${code})`)));
  }

  private died(worker: Worker, rpc: ThreadRpc, e: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.rpc = undefined;
    if (!this.closing) {
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < 60_000);
      this.restarts.push(now);
      if (this.restarts.length > MAX_RESTARTS) {
        this.log.error(
          { event: 'fulltext_worker_failed', err: e.message },
          `full-text worker failed ${this.restarts.length} times in a minute (${e.message}); indexing on the main thread`,
        );
        this.local = openFullTextFile(this.file);
      } else {
        this.log.warn(
          { event: 'fulltext_worker_restart', err: e.message },
          `full-text worker died (${e.message}); restarted`,
        );
        this.startWorker();
      }
    }
    // Unanswered batches fail now and are sent again, in order, to the new writer.
    rpc.close(e);
  }

  private post(items: FullTextItem[]): void {
    if (this.local) {
      try {
        applyItems(this.local, items);
        this.acknowledge(items);
      } catch (e) {
        this.retry(items, e as Error);
      }
      return;
    }
    const rpc = this.rpc;
    if (!rpc) {
      // The worker has ended for good (the store is closing): the last batches are written here.
      this.local = openFullTextFile(this.file);
      return this.post(items);
    }
    this.worker?.ref();
    rpc.call('apply', items).then(
      () => this.acknowledge(items),
      (e: Error) => (rpc === this.rpc ? this.retry(items, e) : this.post(items)),
    );
  }

  /** A batch the writer could not commit (the index file busy or failing) is tried again later. */
  private retry(items: FullTextItem[], e: Error): void {
    this.log.warn(
      { event: 'fulltext_write_failed', err: e.message, items: items.length },
      `full-text index: ${items.length} bodies not written (${e.message}); trying again`,
    );
    setTimeout(() => this.post(items), 1000);
  }

  private acknowledge(items: FullTextItem[]): void {
    for (const it of items) {
      if (!this.pending.delete(it.seq)) continue;
      this.applied.push(it.seq);
      this.pendingChars -= textLength(it);
    }
    if (this.pendingChars <= MAX_PENDING_CHARS) {
      for (const resolve of this.roomWaiters.splice(0)) resolve();
    }
    if (!this.pending.size) this.worker?.unref();
    let lowest = Infinity;
    for (const seq of this.pending.keys()) lowest = Math.min(lowest, seq);
    const ready = this.waiters.filter((w) => w.upTo < lowest);
    this.waiters = this.waiters.filter((w) => w.upTo >= lowest);
    for (const w of ready) w.resolve();
    this.pruneTimer ??= setInterval(() => void this.prune(), 1000).unref();
  }

  private settled(upTo: number): Promise<void> {
    for (const seq of this.pending.keys()) {
      if (seq <= upTo) return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
    }
    return Promise.resolve();
  }

  /** Forgets the queue rows of bodies the index has on disk. */
  private async prune(): Promise<void> {
    const done = this.applied;
    this.applied = [];
    for (let i = 0; i < done.length; i += 500) {
      const chunk = done.slice(i, i + 500);
      await this.host.run(
        `DELETE FROM mailbox_fts_queue WHERE seq IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
    }
  }

  private async recover({ blobs, textOf, log }: FullTextRecovery): Promise<void> {
    const storeSeq = () =>
      Number(
        this.host.allSync<{ seq: number }>(
          "SELECT seq FROM sqlite_sequence WHERE name = 'mailbox_fts_queue'",
        )[0]?.seq ?? 0,
      );
    // The reader sees the index file's tables as `fulltext`: the store has none of that name.
    const index = stateOf(this.reader);
    const ahead = index.appliedSeq > storeSeq();
    if (ahead) {
      log.warn(
        { event: 'fulltext_rebuild', indexSeq: index.appliedSeq, storeSeq: storeSeq() },
        'full-text index is ahead of the store (an older store file put back): rebuilding it from the blobs',
      );
      if (this.local) resetIndex(this.local);
      else await this.call('reset');
    }
    if (ahead || !index.queuedAll) {
      // A new or emptied file: every body, unless already queued (an upgrade queued them all).
      await this.host.run(
        'INSERT INTO mailbox_fts_queue (body_id) SELECT id FROM mailbox_bodies WHERE id NOT IN (SELECT body_id FROM mailbox_fts_queue) ORDER BY id',
      );
      if (this.local) markQueuedAll(this.local);
      else await this.call('queuedAll');
    }
    const end = storeSeq();
    const total = Number(
      (
        await this.host.all<{ n: number }>('SELECT COUNT(*) AS n FROM mailbox_fts_queue WHERE seq <= ?', [
          end,
        ])
      )[0]!.n,
    );
    if (!total) return;
    log.info(
      { event: 'fulltext_recovery', total },
      `full-text index: indexing ${total} bodies from their blobs`,
    );
    const t0 = Date.now();
    let lastLog = t0;
    let done = 0;
    let cursor = 0;
    while (!this.closing) {
      const rows = await this.host.all<{
        seq: number;
        body_id: number;
        hash: string | null;
        volume: string | null;
      }>(
        `SELECT q.seq, q.body_id, b.hash, bl.volume FROM mailbox_fts_queue q
           LEFT JOIN mailbox_bodies b ON b.id = q.body_id LEFT JOIN blobs bl ON bl.hash = b.hash
         WHERE q.seq > ? AND q.seq <= ? ORDER BY q.seq LIMIT ${RECOVERY_STEP}`,
        [cursor, end],
      );
      if (!rows.length) break;
      const items: FullTextItem[] = [];
      for (const r of rows) {
        const seq = Number(r.seq);
        const bodyId = Number(r.body_id);
        cursor = seq;
        if (r.hash === null) {
          items.push({ seq, bodyId });
          continue;
        }
        try {
          const text = await textOf(await blobs.get(r.hash, r.volume || undefined));
          items.push({ seq, bodyId, ...text });
        } catch (e) {
          log.warn(
            { event: 'fulltext_recovery_skip', bodyId, err: (e as Error).message },
            `full-text index: body ${bodyId} not indexed: ${(e as Error).message}`,
          );
          items.push({ seq, bodyId });
        }
      }
      this.addPending(items);
      this.post(items);
      await this.settled(cursor);
      done += rows.length;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log.info(
          { event: 'fulltext_recovery', done, total },
          `full-text index: ${done} of ${total} bodies indexed`,
        );
      }
    }
    log.info(
      { event: 'fulltext_recovered', done, total, ms: Date.now() - t0 },
      `full-text index: ${done} bodies indexed from their blobs in ${Date.now() - t0} ms`,
    );
  }
}
