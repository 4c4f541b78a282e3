import type { SqlDb } from './sql.js';

/**
 * One versioned step of one component's schema. Each component (directory, queue, mailbox…)
 * numbers its own migrations 1, 2, 3…, so modules evolve their tables independently.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: SqlDb): Promise<void>;
}

export interface SchemaComponent {
  name: string;
  migrations: readonly Migration[];
}

export function latestVersion(c: SchemaComponent): number {
  return c.migrations.reduce((m, x) => Math.max(m, x.version), 0);
}
