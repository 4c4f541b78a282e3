import pg from 'pg';
import type { Row, RunResult, SqlDb, SqlValue } from '../sql.js';

// BIGINT columns (times in ms, sizes, ids) come back as numbers: they stay below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/** `?` placeholders → `$1, $2…`, leaving quoted text alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') out += `$${++n}`;
    else out += ch;
  }
  return out;
}

const converted = new Map<string, string>();
function toPg(sql: string): string {
  let s = converted.get(sql);
  if (s === undefined) {
    s = numberPlaceholders(sql);
    if (converted.size > 2000) converted.clear();
    converted.set(sql, s);
  }
  return s;
}

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : typeof p === 'bigint' ? p.toString() : p));
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

class PgView implements SqlDb {
  readonly dialect = 'postgres' as const;
  constructor(protected readonly q: Queryable) {}
  async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.q.query(toPg(sql), bind(params))).rows as T[];
  }
  async get<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.q.query(toPg(sql), bind(params))).rows[0] as T | undefined;
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await this.q.query(toPg(sql), bind(params))).rowCount ?? 0 };
  }
  async exec(sql: string): Promise<void> {
    await this.q.query(sql);
  }
  async tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    const name = `sp${Math.random().toString(36).slice(2)}`;
    await this.q.query(`SAVEPOINT ${name}`);
    try {
      const r = await fn(this);
      await this.q.query(`RELEASE SAVEPOINT ${name}`);
      return r;
    } catch (e) {
      await this.q.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw e;
    }
  }
  async close(): Promise<void> {
    throw new Error('cannot close inside a transaction');
  }
}

/** PostgreSQL through a pg pool; a transaction holds one pooled client. */
export class PostgresDb extends PgView {
  constructor(readonly pool: pg.Pool) {
    super(pool);
  }

  static async open(url: string): Promise<PostgresDb> {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    await pool.query('SELECT 1');
    return new PostgresDb(pool);
  }

  override async tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await fn(new PgView(client));
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }
}
