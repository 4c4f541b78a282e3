/**
 * The SQL both backends speak. Statements use `?` placeholders (the PostgreSQL backend numbers
 * them); booleans are stored as 0/1 integers, times as integer milliseconds, so one statement
 * text serves SQLite and PostgreSQL. Where the dialects truly differ, repositories branch on
 * `dialect` in one place.
 */
export type SqlValue = string | number | bigint | boolean | null | Buffer | Uint8Array;
export type Row = Record<string, unknown>;

export interface RunResult {
  changes: number;
}

export interface TxOptions {
  /**
   * The commit may reach the disk with the next commit that is waited for, instead of before
   * `tx` resolves. Only for rows that matter once a later transaction refers to them (a body
   * before the queue or mailbox row that references it): commits reach the disk in order, so
   * when the referring commit is durable, so is this one. PostgreSQL makes every commit durable.
   */
  durableLater?: boolean;
}

export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Runs several statements without parameters (DDL in migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (db: SqlDb) => Promise<T>, opts?: TxOptions): Promise<T>;
  close(): Promise<void>;
}

/** A column type spelled per dialect inside migration DDL: `{{id}}`, `{{blob}}`, `{{bigint}}`. */
export function ddl(db: Pick<SqlDb, 'dialect'>, sql: string): string {
  const pg = db.dialect === 'postgres';
  return sql
    .replaceAll('{{id}}', pg ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT')
    .replaceAll('{{blob}}', pg ? 'BYTEA' : 'BLOB')
    .replaceAll('{{bigint}}', pg ? 'BIGINT' : 'INTEGER');
}
