import type { SqlDb } from './sql.js';

/**
 * One versioned step of one component's schema. Each component (directory, queue, mailbox…)
 * numbers its own migrations 1, 2, 3…, so modules evolve their tables independently. A released
 * migration never changes: a schema change is a new version.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: SqlDb): Promise<void>;
}

export interface SchemaComponent {
  name: string;
  migrations: readonly Migration[];
  /**
   * Inserts a few representative rows into this component's tables as they are at `version`
   * (1…latest). test/store/upgrade.test.ts builds a store at every earlier version, populates
   * it, upgrades it and checks that every table kept its rows, so give each table you own at
   * that version at least one row, written with the columns that version has.
   */
  populate?(db: SqlDb, version: number): Promise<void>;
}

export function latestVersion(c: SchemaComponent): number {
  return c.migrations.reduce((m, x) => Math.max(m, x.version), 0);
}
