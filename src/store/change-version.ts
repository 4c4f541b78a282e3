import type { SqlDb } from './sql.js';

/** A table whose writes change a version; `columns` limits its updates to those of these columns. */
export interface WatchedTable {
  table: string;
  columns?: readonly string[];
}

/** The change versions' tables: migrations make them, every write changes them, backups leave them out. */
export function isChangeVersionTable(name: string): boolean {
  return name.endsWith('_version');
}

/**
 * Creates the one-row table `name` (ending in `_version`) whose version changes, by trigger, in the same transaction
 * as every write to the watched tables, whoever makes it: this process, the CLI, or another
 * server on the same PostgreSQL database. A reader that finds the version unchanged knows that
 * nothing it read from those tables since has changed, so it may answer from memory (see
 * VersionedMemo). The version is a random number, not a counter, so a store put back from a
 * copy cannot repeat a version some reader remembers with other contents.
 *
 * On PostgreSQL the trigger is deferred to the commit, so the version row's lock is the last a
 * writing transaction takes and two writers cannot deadlock over it.
 */
export async function createChangeVersion(
  db: SqlDb,
  name: string,
  tables: readonly WatchedTable[],
): Promise<void> {
  if (!isChangeVersionTable(name)) throw new Error(`a change version's table ends in _version: ${name}`);
  const pg = db.dialect === 'postgres';
  const events = (t: WatchedTable, sep: string) =>
    ['INSERT', 'DELETE', t.columns ? `UPDATE OF ${t.columns.join(', ')}` : 'UPDATE'].join(sep);
  const sql = [
    `CREATE TABLE ${name} (id INTEGER PRIMARY KEY CHECK (id = 1), version ${pg ? 'BIGINT' : 'INTEGER'} NOT NULL);`,
    `INSERT INTO ${name} (id, version) VALUES (1, 0);`,
  ];
  if (pg) {
    sql.push(
      // The search path of the migration, so a writer whose path differs still finds the table.
      `CREATE FUNCTION ${name}_bump() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
       BEGIN UPDATE ${name} SET version = floor(random() * 9007199254740991)::bigint; RETURN NULL; END $$;`,
    );
    for (const t of tables)
      sql.push(
        `CREATE CONSTRAINT TRIGGER ${name}_${t.table} AFTER ${events(t, ' OR ')} ON ${t.table}
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${name}_bump();`,
      );
  } else {
    for (const t of tables)
      for (const [i, event] of events(t, '\n').split('\n').entries())
        sql.push(
          `CREATE TRIGGER ${name}_${t.table}_${i} AFTER ${event} ON ${t.table}
           BEGIN UPDATE ${name} SET version = abs(random() % 9007199254740991); END;`,
        );
  }
  await db.exec(sql.join('\n'));
}

/** The current version of `name` (see createChangeVersion). */
export async function readChangeVersion(db: SqlDb, name: string): Promise<number> {
  const r = await db.get<{ version: unknown }>(`SELECT version FROM ${name} WHERE id = 1`);
  return Number(r?.version);
}
