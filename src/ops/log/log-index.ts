import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { readLines } from './line-reader.js';
import { listLogFiles } from './log-files.js';
import { domainOf, FactReader } from './delivery-fact.js';
import { DAY_MS, HOUR_MS, type BucketRange } from './range-plan.js';
import {
  classOf,
  concatSegments,
  decodeSegment,
  DetailBuilder,
  DIMS,
  encodeSegment,
  RollupBuilder,
  type Dim,
  type Segment,
} from './segment.js';

/** Bumped when the layout changes: an index of another version is dropped and rebuilt from the log. */
const LAYOUT_VERSION = 2;

/**
 * Schema of the summary. Names (addresses, domains) are interned to integers; 0 means none.
 * - `segments`: blocks of summary rows in columns (see segment.ts), several per bucket as batches
 *   add them, merged when a bucket gathers too many:
 *   - `detail` (per hour): a row per attempt with every id column; answers any combination of
 *     filters, and the whole hours of a range outside whole days;
 *   - one rollup per id column per UTC day, merged by (address, class): a month's top senders
 *     sums 30 of these plus at most 46 hours of detail.
 * - `spans`: which bytes of which file hold each hour, to read the edges of a range raw.
 * - `files`: how far each file has been read, followed by inode across renames.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (id INTEGER PRIMARY KEY, path TEXT NOT NULL, dev INTEGER NOT NULL, ino INTEGER NOT NULL,
  offset INTEGER NOT NULL DEFAULT 0, first_ms INTEGER, last_ms INTEGER, UNIQUE (dev, ino));
CREATE TABLE IF NOT EXISTS names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, domain INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS names_domain ON names (domain);
CREATE TABLE IF NOT EXISTS spans (file INTEGER NOT NULL, hour INTEGER NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
  PRIMARY KEY (file, hour)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segments (id INTEGER PRIMARY KEY, source TEXT NOT NULL, level TEXT NOT NULL,
  bucket INTEGER NOT NULL, rows INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS segments_bucket ON segments (source, level, bucket);
`;

/** Where summary rows come from: every id column (`detail`, per hour) or one id column (per day). */
export type Source = 'detail' | Dim;
export type Level = 'hour' | 'day';
export type BucketSegment = Segment & { bucket: number };

/** Bytes of log read per transaction: bounds memory and how long another reader waits for the lock. */
const BATCH_BYTES = 256 * 1024 * 1024;
/** Segments a bucket may gather (one per batch that touched it) before they are merged into one. */
const MAX_PARTS = 6;
/** A backlog this large loads every known name at once rather than looking them up one by one. */
const BULK_BYTES = 32 * 1024 * 1024;

export interface IndexUpdate {
  lines: number;
  skipped: number;
  bytes: number;
}

/** A byte range of one log file. */
export interface FileSpan {
  path: string;
  start: number;
  stop: number;
}

/** The segments one batch builds: detail per hour, a rollup per id column per day. */
class BatchSegments {
  readonly detail = new Map<number, DetailBuilder>();
  readonly days = new Map<number, RollupBuilder[]>();
  private hour = NaN;
  private hourDetail!: DetailBuilder;
  private dayRollups!: RollupBuilder[];

  add(time: number, ids: [number, number, number], cls: number, size: number): void {
    const hour = Math.floor(time / HOUR_MS);
    if (hour !== this.hour) this.enter(hour);
    this.hourDetail.add(ids[0], ids[1], ids[2], cls, 1, size);
    for (let d = 0; d < 3; d++) if (ids[d] !== 0) this.dayRollups[d]!.add(ids[d]!, cls, 1, size);
  }

  /** Switches the builders lines go to; consecutive lines nearly always share an hour. */
  private enter(hour: number): void {
    this.hour = hour;
    const day = Math.floor(hour / 24);
    let det = this.detail.get(hour);
    if (!det) this.detail.set(hour, (det = new DetailBuilder()));
    this.hourDetail = det;
    let days = this.days.get(day);
    if (!days) this.days.set(day, (days = DIMS.map((d) => new RollupBuilder(d))));
    this.dayRollups = days;
  }
}

/**
 * The delivery log's summary, kept in SQLite beside the log and brought up to date from each
 * file's last read offset. Every batch commits its segments together with the new offset, so a
 * crash or a second process updating at the same time never counts a line twice.
 */
export class DeliveryLogIndex {
  readonly db: Db;
  private readonly nameIds = new Map<string, number>();
  /** When set, nameIds holds every name up to loadedId and new ones are added without a lookup. */
  private namesComplete = false;
  private loadedId = 0;
  /** Names given ids in this batch and not yet written: [name, id, domain id]. */
  private newNames: [string, number, number][] = [];
  private readonly stmts: Record<string, Statement>;

  constructor(
    readonly logFile: string,
    indexPath: string,
  ) {
    mkdirSync(dirname(indexPath), { recursive: true });
    this.db = new Database(indexPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 30000');
    // The name index grows at random places as new addresses come; keep it in memory while it does.
    this.db.pragma('cache_size = -524288');
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version !== LAYOUT_VERSION) {
          // A cache of the log: an older layout is dropped and the log read again.
          const tables = this.db
            .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
            .all() as { name: string }[];
          for (const t of tables) this.db.exec(`DROP TABLE "${t.name}"`);
          this.db.pragma(`user_version = ${LAYOUT_VERSION}`);
        }
        this.db.exec(SCHEMA);
      })
      .immediate();
    this.stmts = {
      segmentAdd: this.db.prepare(
        'INSERT INTO segments (source, level, bucket, rows, data) VALUES (?, ?, ?, ?, ?)',
      ),
      segmentsOf: this.db.prepare(
        'SELECT bucket, data FROM segments WHERE source = ? AND level = ? AND bucket >= ? AND bucket < ? ORDER BY bucket',
      ),
      span: this.db.prepare(
        `INSERT INTO spans (file, hour, start, stop) VALUES (?, ?, ?, ?)
         ON CONFLICT (file, hour) DO UPDATE SET start = min(start, excluded.start), stop = max(stop, excluded.stop)`,
      ),
      nameGet: this.db.prepare('SELECT id FROM names WHERE name = ?'),
      nameAdd: this.db.prepare('INSERT INTO names (name, domain) VALUES (?, ?)'),
      nameAddWithId: this.db.prepare('INSERT INTO names (name, id, domain) VALUES (?, ?, ?)'),
      fileGet: this.db.prepare('SELECT id, path, offset FROM files WHERE dev = ? AND ino = ?'),
      fileAdd: this.db.prepare('INSERT INTO files (path, dev, ino) VALUES (?, ?, ?)'),
      fileMove: this.db.prepare('UPDATE files SET path = ? WHERE id = ?'),
      fileRead: this.db.prepare(
        `UPDATE files SET offset = ?, first_ms = min(coalesce(first_ms, ?), ?), last_ms = max(coalesce(last_ms, ?), ?) WHERE id = ?`,
      ),
    };
  }

  /** The id of a name, adding it (and its domain) when new. Ids are never reused. */
  intern(name: string): number {
    let id = this.nameIds.get(name);
    if (id !== undefined) return id;
    if (!this.namesComplete) id = (this.stmts.nameGet!.get(name) as { id: number } | undefined)?.id;
    if (id === undefined) {
      const domain = domainOf(name);
      const domainId = domain === undefined ? 0 : this.intern(domain);
      if (this.namesComplete) {
        // Inside the batch's write transaction no other process adds names, so the next id is ours.
        id = ++this.loadedId;
        this.newNames.push([name, id, domainId]);
      } else id = Number(this.stmts.nameAdd!.run(name, domainId).lastInsertRowid);
    }
    this.nameIds.set(name, id);
    return id;
  }

  /** The id of a known name, or -1 (which matches nothing) for a name never seen. */
  lookup(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = (this.stmts.nameGet!.get(name) as { id: number } | undefined)?.id;
      if (id === undefined) return -1;
      this.nameIds.set(name, id);
    }
    return id;
  }

  /** The highest id given to a name so far (ids are dense from 1). */
  maxNameId(): number {
    return (this.db.prepare('SELECT max(id) AS m FROM names').get() as { m: number | null }).m ?? 0;
  }

  /** Names and domain ids of the given ids. */
  names(ids: ArrayLike<number>): Map<number, { name: string; domain: number }> {
    const out = new Map<number, { name: string; domain: number }>();
    const stmt = this.db.prepare(
      'SELECT id, name, domain FROM names WHERE id IN (SELECT value FROM json_each(?))',
    );
    const chunk = 100_000;
    for (let i = 0; i < ids.length; i += chunk) {
      const part = Array.from({ length: Math.min(chunk, ids.length - i) }, (_, k) => ids[i + k]!);
      for (const r of stmt.all(JSON.stringify(part)) as { id: number; name: string; domain: number }[])
        out.set(r.id, { name: r.name, domain: r.domain });
    }
    return out;
  }

  /** The ids of every name in a domain. */
  domainMembers(domain: number): number[] {
    return (this.db.prepare('SELECT id FROM names WHERE domain = ?').all(domain) as { id: number }[]).map(
      (r) => r.id,
    );
  }

  /** The stored segments of one source and level over buckets [from, to), oldest bucket first. */
  segments(source: Source, level: Level, [from, to]: BucketRange): BucketSegment[] {
    if (from >= to) return [];
    return (this.stmts.segmentsOf!.all(source, level, from, to) as { bucket: number; data: Buffer }[]).map(
      (r) => ({ ...decodeSegment(r.data), bucket: r.bucket }),
    );
  }

  /** Reads whatever the log files gained since the last update; forgets files that are gone. */
  update(onProgress?: (done: number, total: number) => void): IndexUpdate {
    const files = listLogFiles(this.logFile);
    const out: IndexUpdate = { lines: 0, skipped: 0, bytes: 0 };
    const present = new Set(files.map((f) => `${f.dev}:${f.ino}`));
    const known = this.db.prepare('SELECT id, dev, ino, offset FROM files').all() as {
      id: number;
      dev: number;
      ino: number;
      offset: number;
    }[];
    const gone = known.filter((k) => !present.has(`${k.dev}:${k.ino}`));
    if (gone.length) {
      this.db
        .transaction(() => {
          for (const g of gone) {
            this.db.prepare('DELETE FROM spans WHERE file = ?').run(g.id);
            this.db.prepare('DELETE FROM files WHERE id = ?').run(g.id);
          }
        })
        .immediate();
    }
    const offsets = new Map(known.map((k) => [`${k.dev}:${k.ino}`, k.offset]));
    const total = files.reduce((s, f) => s + f.size, 0);
    const backlog = files.reduce(
      (s, f) => s + Math.max(0, f.size - (offsets.get(`${f.dev}:${f.ino}`) ?? 0)),
      0,
    );
    if (backlog >= BULK_BYTES && !this.namesComplete) {
      this.namesComplete = true;
      this.loadedId = 0;
    }
    let done = total - backlog;
    try {
      for (const f of files) {
        for (;;) {
          const before = out.bytes;
          const more = this.db
            .transaction(() => this.readBatch(f.path, f.dev, f.ino, f.size, out))
            .immediate();
          done += out.bytes - before;
          onProgress?.(done, total);
          if (!more) break;
        }
      }
    } catch (e) {
      // Ids handed out in a rolled-back transaction do not exist.
      this.nameIds.clear();
      this.namesComplete = false;
      this.loadedId = 0;
      this.newNames = [];
      throw e;
    }
    return out;
  }

  /** Writes the names the batch gave ids to, with those ids. */
  private writeNewNames(): void {
    for (const n of this.newNames) this.stmts.nameAddWithId!.run(...n);
    this.newNames = [];
  }

  /** Catches nameIds up with names other processes added, inside the batch's transaction. */
  private loadNames(): void {
    const rows = this.db
      .prepare('SELECT id, name FROM names WHERE id > ? ORDER BY id')
      .raw()
      .iterate(this.loadedId) as Iterable<[number, string]>;
    for (const [id, name] of rows) {
      this.nameIds.set(name, id);
      this.loadedId = id;
    }
  }

  /** One transaction's worth of one file; true when there is more to read. */
  private readBatch(path: string, dev: number, ino: number, size: number, out: IndexUpdate): boolean {
    let row = this.stmts.fileGet!.get(dev, ino) as { id: number; path: string; offset: number } | undefined;
    if (!row) {
      this.stmts.fileAdd!.run(path, dev, ino);
      row = this.stmts.fileGet!.get(dev, ino) as { id: number; path: string; offset: number };
    } else if (row.path !== path) this.stmts.fileMove!.run(path, row.id);
    // A file that shrank was truncated in place: its old spans point at bytes that are gone.
    if (size < row.offset) {
      this.db.prepare('DELETE FROM spans WHERE file = ?').run(row.id);
      this.db.prepare('UPDATE files SET offset = 0 WHERE id = ?').run(row.id);
      row.offset = 0;
    }
    if (size <= row.offset) return false;
    if (this.namesComplete) this.loadNames();
    const end = Math.min(size, row.offset + BATCH_BYTES);
    const batch = new BatchSegments();
    const spans = new Map<number, [number, number]>();
    const reader = new FactReader();
    const ids: [number, number, number] = [0, 0, 0];
    let first = Infinity;
    let last = -Infinity;
    let spanHour = NaN;
    let span: [number, number] = [0, 0];
    const stop = readLines(path, row.offset, end, (line, lineStart, lineEnd) => {
      const f = reader.read(line);
      if (!f) {
        if (line.trim()) out.skipped++;
        return;
      }
      out.lines++;
      ids[0] = this.intern(f.sender);
      ids[1] = this.intern(f.recipient);
      // Mail from an account is sent as the account: one lookup serves both.
      ids[2] = f.auth === null ? 0 : f.auth === f.sender ? ids[0] : this.intern(f.auth);
      batch.add(f.time, ids, classOf(f.kind, f.result, f.webmail), f.size);
      const hour = Math.floor(f.time / HOUR_MS);
      if (hour !== spanHour) {
        spanHour = hour;
        const s = spans.get(hour);
        if (s) span = s;
        else spans.set(hour, (span = [lineStart, lineEnd]));
      }
      if (lineStart < span[0]) span[0] = lineStart;
      if (lineEnd > span[1]) span[1] = lineEnd;
      if (f.time < first) first = f.time;
      if (f.time > last) last = f.time;
    });
    const touched: [Source, Level, number][] = [];
    for (const [hour, b] of batch.detail) {
      this.store('detail', 'hour', hour, b.segment());
      touched.push(['detail', 'hour', hour]);
    }
    for (const [day, rollups] of batch.days) {
      for (const b of rollups) {
        this.store(b.dim, 'day', day, b.segment());
        touched.push([b.dim, 'day', day]);
      }
    }
    for (const [source, level, bucket] of touched) this.compact(source, level, bucket);
    for (const [hour, [a, b]] of spans) this.stmts.span!.run(row.id, hour, a, b);
    const firstMs = Number.isFinite(first) ? first : null;
    const lastMs = Number.isFinite(last) ? last : null;
    this.writeNewNames();
    this.stmts.fileRead!.run(stop, firstMs, firstMs, lastMs, lastMs, row.id);
    out.bytes += stop - row.offset;
    return stop > row.offset && stop < size;
  }

  private store(source: Source, level: Level, bucket: number, s: Segment): void {
    if (s.length) this.stmts.segmentAdd!.run(source, level, bucket, s.length, encodeSegment(s));
  }

  /** Merges a bucket's segments into one once it has gathered more than MAX_PARTS. */
  private compact(source: Source, level: Level, bucket: number): void {
    const where = 'WHERE source = ? AND level = ? AND bucket = ?';
    const count = this.db
      .prepare(`SELECT count(*) AS n FROM segments ${where}`)
      .get(source, level, bucket) as {
      n: number;
    };
    if (count.n <= MAX_PARTS) return;
    const parts = this.db.prepare(`SELECT id, data FROM segments ${where}`).all(source, level, bucket) as {
      id: number;
      data: Buffer;
    }[];
    const segs = parts.map((p) => decodeSegment(p.data));
    let merged: Segment;
    if (source === 'detail') merged = concatSegments(segs);
    else {
      const r = new RollupBuilder(source);
      for (const s of segs) r.addSegment(s);
      merged = r.segment();
    }
    this.db
      .prepare('DELETE FROM segments WHERE id IN (SELECT value FROM json_each(?))')
      .run(JSON.stringify(parts.map((p) => p.id)));
    this.store(source, level, bucket, merged);
  }

  /** The time of the oldest and newest record still in a log file, or null when there are none. */
  coverage(): { oldest: number | null; newest: number | null } {
    const r = this.db.prepare('SELECT min(first_ms) AS oldest, max(last_ms) AS newest FROM files').get() as {
      oldest: number | null;
      newest: number | null;
    };
    return r;
  }

  /** The byte ranges holding the given hours, merged per file, in file order. */
  spansOf(hours: number[]): FileSpan[] {
    if (!hours.length) return [];
    const rows = this.db
      .prepare(
        `SELECT f.path, s.start, s.stop FROM spans s JOIN files f ON f.id = s.file
         WHERE s.hour IN (SELECT value FROM json_each(?)) ORDER BY f.id, s.start`,
      )
      .all(JSON.stringify(hours)) as FileSpan[];
    const merged: FileSpan[] = [];
    for (const r of rows) {
      const prev = merged.at(-1);
      if (prev && prev.path === r.path && r.start <= prev.stop) prev.stop = Math.max(prev.stop, r.stop);
      else merged.push({ ...r });
    }
    return merged;
  }

  /** Drops summary rows wholly older than `ms` (after retention removed the files behind them). */
  purgeBefore(ms: number): void {
    this.db
      .prepare(`DELETE FROM segments WHERE (level = 'hour' AND bucket < ?) OR (level = 'day' AND bucket < ?)`)
      .run(Math.floor(ms / HOUR_MS), Math.floor(ms / DAY_MS));
  }

  close(): void {
    this.db.close();
  }
}
