import type { Logger } from '../log/logger.js';
import { schemaComponents } from './components.js';
import {
  currentVersions,
  migrate,
  MigrationError,
  type MigrationStep,
  pendingMigrations,
} from './migrate.js';
import type { SchemaComponent } from './migration.js';
import type { PostgresDb } from './postgres/postgres-db.js';
import { copySqlite, dumpPostgres, removeSqlite, restoreSqlite, snapshotPath } from './snapshot.js';
import type { SqlDb } from './sql.js';
import { SqliteDb } from './sqlite/sqlite-db.js';

/**
 * Components the server cannot run without, whatever else failed: the directory, so the admin
 * can always log in. They and everything migrated before them are upgraded as a first phase that
 * a later failure does not undo.
 */
const ESSENTIAL = new Set(['directory']);

export interface UpgradeReport {
  ok: boolean;
  /** Every step that ran, with timing; after a failure the ones before it were undone. */
  steps: MigrationStep[];
  failed?: { component: string; version: number; error: string };
  /** The pre-upgrade copy: a SQLite file, or a pg_dump archive when pg_dump was available. */
  snapshot?: string;
  /** Components not at the version this Mailstead expects: their services must not start. */
  behind: string[];
  /** One paragraph for the log and the console. */
  message: string;
}

export interface UpgradeTarget {
  db: SqlDb;
  /** `store.url`, for pg_dump. */
  url: string;
  /** Where pre-upgrade snapshots go (data/snapshots). */
  snapshotDir: string;
  components?: readonly SchemaComponent[];
  log?: Logger;
  onStep?: (step: MigrationStep) => void;
}

/** Components up to the last essential one, then the rest. */
function phases(components: readonly SchemaComponent[]): SchemaComponent[][] {
  let split = 0;
  components.forEach((c, i) => {
    if (ESSENTIAL.has(c.name)) split = i + 1;
  });
  return [components.slice(0, split), components.slice(split)].filter((p) => p.length);
}

async function behind(db: SqlDb, components: readonly SchemaComponent[]): Promise<string[]> {
  return (await pendingMigrations(db, components)).map((p) => p.component);
}

function failure(e: unknown): UpgradeReport['failed'] {
  if (e instanceof MigrationError)
    return {
      component: e.component,
      version: e.version,
      error: (e.cause as Error)?.message ?? String(e.cause),
    };
  throw e;
}

function describeFailure(r: UpgradeReport): string {
  const f = r.failed!;
  const essentialBehind = r.behind.filter((c) => ESSENTIAL.has(c));
  return (
    `store upgrade failed at ${f.component} migration ${f.version}: ${f.error}. ` +
    `The store was put back as it was before the upgrade${r.snapshot ? ` (snapshot ${r.snapshot})` : ''}; ` +
    `the server runs on the old schema without the services of: ${r.behind.join(', ')}. ` +
    (essentialBehind.length
      ? `The directory could not be upgraded, so logins will not work: run the previous Mailstead version. `
      : '') +
    'Fix the cause and run `mailstead upgrade` (try `mailstead upgrade --check` first).'
  );
}

/**
 * Migrates a store with pending migrations, first taking a snapshot. SQLite: a VACUUM INTO copy
 * in `snapshotDir`; on failure the store file is replaced by it and reopened. PostgreSQL, where
 * DDL is transactional: each phase in one transaction that a failure rolls back, plus a pg_dump
 * when the tool is installed. Essential components (see ESSENTIAL) are upgraded first and stay
 * upgraded when a later component fails. A brand-new store is created without a snapshot.
 * Returns the database to use from now on: after a SQLite restore it is a new connection.
 */
export async function upgradeStore(target: UpgradeTarget): Promise<{ db: SqlDb; report: UpgradeReport }> {
  const components = target.components ?? schemaComponents;
  const { log } = target;
  const steps: MigrationStep[] = [];
  const onStep = (s: MigrationStep) => {
    steps.push(s);
    target.onStep?.(s);
    if (s.error)
      log?.error(
        { component: s.component, version: s.version, ms: Math.round(s.ms), err: s.error },
        `store migration ${s.component} ${s.version} failed: ${s.name}`,
      );
    else
      log?.info(
        { component: s.component, version: s.version, ms: Math.round(s.ms) },
        `store migration ${s.component} ${s.version}: ${s.name}`,
      );
  };
  let db = target.db;
  const fresh = (await currentVersions(db)).size === 0;
  if (!(await pendingMigrations(db, components)).length)
    return { db, report: { ok: true, steps, behind: [], message: 'store schema is up to date' } };
  if (fresh) {
    await migrate(db, components, { onStep });
    return { db, report: { ok: true, steps, behind: [], message: 'created a new store' } };
  }

  let snapshot: string | undefined;
  let failed: UpgradeReport['failed'];
  if (db instanceof SqliteDb) {
    snapshot = snapshotPath(target.snapshotDir, 'pre-upgrade', 'db');
    await copySqlite(db, snapshot);
    log?.info({ snapshot }, 'store snapshot taken before upgrading');
    const done: SchemaComponent[] = [];
    for (const phase of phases(components)) {
      try {
        await migrate(db, phase, { onStep });
        done.push(...phase);
      } catch (e) {
        db = await restoreSqlite(db, snapshot);
        // Known to succeed: it just did, from the very same state.
        await migrate(db, done);
        failed = failure(e);
        break;
      }
    }
  } else {
    if (db.dialect === 'postgres') {
      const dump = await dumpPostgres(
        db as PostgresDb,
        target.url,
        snapshotPath(target.snapshotDir, 'pre-upgrade', 'pgdump'),
      );
      log?.[dump.file ? 'info' : 'warn'](dump.message);
      snapshot = dump.file;
    }
    for (const phase of phases(components)) {
      try {
        await db.tx((t) => migrate(t, phase, { onStep }));
      } catch (e) {
        failed = failure(e);
        break;
      }
    }
  }
  const report: UpgradeReport = {
    ok: !failed,
    steps,
    behind: await behind(db, components),
    message: '',
    ...(failed ? { failed } : {}),
    ...(snapshot ? { snapshot } : {}),
  };
  report.message = failed
    ? describeFailure(report)
    : `store upgraded (${steps.length} steps)${snapshot ? `; snapshot ${snapshot}` : ''}`;
  log?.[failed ? 'error' : 'info'](report.message);
  return { db, report };
}

/** Thrown inside the dry-run transaction to roll it back. */
class DryRun extends Error {}

/**
 * `mailstead upgrade --check`: runs the pending migrations against a copy and reports, changing
 * nothing. SQLite: a VACUUM INTO copy beside the snapshots, deleted afterwards. PostgreSQL: the
 * store itself inside one transaction that is always rolled back.
 */
export async function checkUpgrade(target: Omit<UpgradeTarget, 'url' | 'log'>): Promise<UpgradeReport> {
  const components = target.components ?? schemaComponents;
  const pending = await behind(target.db, components);
  const steps: MigrationStep[] = [];
  const onStep = (s: MigrationStep) => {
    steps.push(s);
    target.onStep?.(s);
  };
  let failed: UpgradeReport['failed'];
  if (target.db instanceof SqliteDb) {
    const copy = snapshotPath(target.snapshotDir, 'upgrade-check', 'db');
    await copySqlite(target.db, copy);
    const db = SqliteDb.open(copy);
    try {
      await migrate(db, components, { onStep });
    } catch (e) {
      failed = failure(e);
    } finally {
      await db.close();
      await removeSqlite(copy);
    }
  } else {
    try {
      await target.db.tx(async (t) => {
        await migrate(t, components, { onStep });
        throw new DryRun();
      });
    } catch (e) {
      if (!(e instanceof DryRun)) failed = failure(e);
    }
  }
  const message = !pending.length
    ? 'store schema is up to date; nothing to do'
    : failed
      ? `the upgrade would fail at ${failed.component} migration ${failed.version}: ${failed.error}`
      : `the upgrade would succeed (${steps.length} steps); nothing was changed`;
  return { ok: !failed, steps, behind: pending, message, ...(failed ? { failed } : {}) };
}
