import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { Row, RunResult, SqlDb, SqlValue, TxOptions } from '../sql.js';
import { fullTextFile } from './full-text-file.js';
import { FullTextIndex } from './full-text-index.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

/** The WAL file's size after it starts over: above the restart length, so its pages are reused. */
const WAL_KEEP_BYTES = 80 * 1024 * 1024;

type Param = string | number | bigint | null | Buffer;

function bind(params: readonly SqlValue[]): Param[] {
  return params.map((p) =>
    typeof p === 'boolean'
      ? p
        ? 1
        : 0
      : p instanceof Uint8Array && !Buffer.isBuffer(p)
        ? Buffer.from(p)
        : (p as Param),
  );
}

/**
 * SQLite through better-sqlite3. Calls are synchronous underneath; a transaction holds a lock so
 * no other caller's statement runs inside it while it awaits. Every write resolves only once it
 * is on disk (see WalSync), like synchronous=FULL, but the fsync runs off the event loop.
 */
export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, Statement>();
  private lock: Promise<void> = Promise.resolve();
  private inTx = false;
  private checkpointer: WalCheckpointer | undefined;
  /** The full-text index beside the store file (see FullTextIndex); absent for copies and memory. */
  fullText: FullTextIndex | undefined;

  constructor(
    readonly raw: Db,
    private readonly wal?: WalSync,
  ) {}

  static open(file: string, opts: { readonly?: boolean; fullText?: boolean } = {}): SqliteDb {
    const raw = new Database(file, { readonly: opts.readonly ?? false, timeout: 10_000 });
    let wal: WalSync | undefined;
    if (!opts.readonly && !raw.memory) {
      raw.pragma('journal_mode = WAL');
      // NORMAL leaves out the per-commit WAL fsync, which WalSync then does off the event loop.
      raw.pragma('synchronous = NORMAL');
      wal = new WalSync(`${resolve(file)}-wal`);
    }
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 10000');
    const db = new SqliteDb(raw, wal);
    if (opts.fullText && wal) db.fullText = new FullTextIndex(db, fullTextFile(resolve(file)));
    return db;
  }

  /**
   * Moves WAL checkpoints off this thread (see WalCheckpointer), for a long-running server; a
   * short command keeps SQLite's automatic checkpoint. Should the worker die, that comes back.
   * The WAL starts over once `restartFrames` long; its file is then cut back to `WAL_KEEP_BYTES`.
   */
  checkpointInBackground(opts: { restartFrames?: number; intervalMs?: number } = {}): void {
    if (!this.wal || this.checkpointer) return;
    this.raw.pragma('wal_autocheckpoint = 0');
    this.raw.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
    this.checkpointer = new WalCheckpointer(
      this.raw.name,
      () => {
        this.checkpointer = undefined;
        if (this.raw.open) this.raw.pragma('wal_autocheckpoint = 1000');
      },
      opts.intervalMs,
      opts.restartFrames,
    );
  }

  /** Resolves once every commit made so far is on disk. */
  durable(): Promise<void> {
    return this.wal?.durable() ?? Promise.resolve();
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  /**
   * Runs `op` once no transaction holds the connection. The check and `op` happen in the same
   * turn: with an await between them, another caller's transaction could begin in the gap.
   */
  private async whenIdle<T>(op: () => T): Promise<T> {
    while (this.inTx) await this.lock;
    return op();
  }

  allSync<T = Row>(sql: string, params: readonly SqlValue[] = []): T[] {
    return this.stmt(sql).all(...bind(params)) as T[];
  }

  getSync<T = Row>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    return this.stmt(sql).get(...bind(params)) as T | undefined;
  }

  runSync(sql: string, params: readonly SqlValue[] = []): RunResult {
    const s = this.stmt(sql);
    if (!s.reader) return { changes: s.run(...bind(params)).changes };
    s.all(...bind(params));
    return { changes: 0 };
  }

  async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.whenIdle(() => this.allSync<T>(sql, params));
  }

  async get<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.whenIdle(() => this.getSync<T>(sql, params));
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    const r = await this.whenIdle(() => {
      const out = this.runSync(sql, params);
      this.fullText?.committed();
      return out;
    });
    if (r.changes) {
      this.checkpointer?.committed();
      await this.durable();
    }
    return r;
  }

  async exec(sql: string): Promise<void> {
    await this.whenIdle(() => {
      this.raw.exec(sql);
      this.fullText?.committed();
    });
    this.checkpointer?.committed();
    await this.durable();
  }

  async tx<T>(fn: (db: SqlDb) => Promise<T>, opts: TxOptions = {}): Promise<T> {
    // Taking the connection follows the idle check in the same turn, as in whenIdle.
    while (this.inTx) await this.lock;
    let release!: () => void;
    this.lock = new Promise((r) => (release = r));
    this.inTx = true;
    const inner = new SqliteTxView(this);
    let result: T;
    let indexed = 0;
    try {
      await this.checkpointer?.makeWay();
      this.raw.exec('BEGIN IMMEDIATE');
      result = await fn(inner);
      this.raw.exec('COMMIT');
      indexed = this.fullText?.committed() ?? 0;
      this.checkpointer?.committed();
    } catch (e) {
      if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
      this.fullText?.rolledBack();
      throw e;
    } finally {
      this.inTx = false;
      release();
    }
    // Others may use the connection while this commit is flushed to disk.
    if (!opts.durableLater) await this.durable();
    // Texts for the full-text index wait in memory until written: a bound on how far it lags.
    if (indexed) await this.fullText?.room();
    return result;
  }

  async close(): Promise<void> {
    await this.fullText?.close();
    this.fullText = undefined;
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    await this.durable();
    await this.whenIdle(() => this.raw.close());
    this.wal?.close();
  }
}

/** The same connection seen from inside a transaction: statements run without waiting for the lock. */
class SqliteTxView implements SqlDb {
  readonly dialect = 'sqlite' as const;
  constructor(private readonly db: SqliteDb) {}
  get fullText(): FullTextIndex | undefined {
    return this.db.fullText;
  }
  async all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.db.allSync<T>(sql, params);
  }
  async get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.db.getSync<T>(sql, params);
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.db.runSync(sql, params);
  }
  async exec(sql: string): Promise<void> {
    this.db.raw.exec(sql);
  }
  async tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    // Nested transactions become savepoints.
    const name = `sp${Math.random().toString(36).slice(2)}`;
    this.db.raw.exec(`SAVEPOINT ${name}`);
    try {
      const r = await fn(this);
      this.db.raw.exec(`RELEASE ${name}`);
      return r;
    } catch (e) {
      this.db.raw.exec(`ROLLBACK TO ${name}`);
      this.db.raw.exec(`RELEASE ${name}`);
      throw e;
    }
  }
  async close(): Promise<void> {
    throw new Error('cannot close inside a transaction');
  }
}

/** The full-text index of a SQLite connection or transaction, if it has one. */
export function sqliteFullText(db: SqlDb): FullTextIndex | undefined {
  return db instanceof SqliteDb || db instanceof SqliteTxView ? db.fullText : undefined;
}
