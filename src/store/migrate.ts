import type { SchemaComponent } from './migration.js';
import { latestVersion } from './migration.js';
import type { SqlDb } from './sql.js';

export interface PendingMigration {
  component: string;
  from: number;
  to: number;
  steps: { version: number; name: string }[];
}

/** One migration step as it ran. */
export interface MigrationStep {
  component: string;
  version: number;
  name: string;
  ms: number;
  error?: string;
}

/** A migration step threw; its transaction was rolled back, so the component stays at `version - 1`. */
export class MigrationError extends Error {
  constructor(
    readonly component: string,
    readonly version: number,
    readonly stepName: string,
    cause: unknown,
  ) {
    super(
      `${component} migration ${version} (${stepName}) failed: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
    this.name = 'MigrationError';
  }
}

async function ensureVersionTable(db: SqlDb): Promise<void> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at BIGINT NOT NULL)',
  );
}

export async function currentVersions(db: SqlDb): Promise<Map<string, number>> {
  await ensureVersionTable(db);
  const rows = await db.all<{ component: string; version: number }>(
    'SELECT component, version FROM schema_versions',
  );
  return new Map(rows.map((r) => [r.component, Number(r.version)]));
}

/** What `migrate` would do, without doing it. */
export async function pendingMigrations(
  db: SqlDb,
  components: readonly SchemaComponent[],
): Promise<PendingMigration[]> {
  const versions = await currentVersions(db);
  const out: PendingMigration[] = [];
  for (const c of components) {
    const from = versions.get(c.name) ?? 0;
    const to = latestVersion(c);
    if (from > to) {
      throw new Error(
        `the store's ${c.name} schema is version ${from}, newer than this Mailstead knows (${to}); run the newer version`,
      );
    }
    if (from < to) {
      out.push({
        component: c.name,
        from,
        to,
        steps: c.migrations
          .filter((m) => m.version > from)
          .sort((a, b) => a.version - b.version)
          .map((m) => ({ version: m.version, name: m.name })),
      });
    }
  }
  return out;
}

/**
 * Brings every component to its latest version, each step in its own transaction together with
 * its version bump, so a failed step leaves the component exactly at the previous version and
 * throws a MigrationError. `upTo` limits versions per component (tests build every earlier
 * schema with it); `onStep` hears of every step when it has run or failed.
 */
export async function migrate(
  db: SqlDb,
  components: readonly SchemaComponent[],
  opts: { upTo?: Record<string, number>; onStep?: (step: MigrationStep) => void } = {},
): Promise<void> {
  const versions = await currentVersions(db);
  for (const c of components) {
    const from = versions.get(c.name) ?? 0;
    const limit = opts.upTo?.[c.name] ?? latestVersion(c);
    for (const m of [...c.migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= from || m.version > limit) continue;
      const started = performance.now();
      const step = { component: c.name, version: m.version, name: m.name };
      try {
        await db.tx(async (t) => {
          await m.up(t);
          const now = Date.now();
          const changed = await t.run(
            'UPDATE schema_versions SET version = ?, updated_at = ? WHERE component = ?',
            [m.version, now, c.name],
          );
          if (changed.changes === 0)
            await t.run('INSERT INTO schema_versions (component, version, updated_at) VALUES (?, ?, ?)', [
              c.name,
              m.version,
              now,
            ]);
        });
      } catch (e) {
        opts.onStep?.({
          ...step,
          ms: performance.now() - started,
          error: (e as Error)?.message ?? String(e),
        });
        throw new MigrationError(c.name, m.version, m.name, e);
      }
      opts.onStep?.({ ...step, ms: performance.now() - started });
    }
  }
}
