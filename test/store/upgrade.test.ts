import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { isDerivedTable } from '../../src/ops/backup/catalog.js';
import { blobsSchema } from '../../src/store/blobs/blobs-schema.js';
import { schemaComponents } from '../../src/store/components.js';
import { mailboxSchema } from '../../src/store/mailbox/schema.js';
import { currentVersions, migrate } from '../../src/store/migrate.js';
import { latestVersion, type SchemaComponent } from '../../src/store/migration.js';
import type { SqlDb } from '../../src/store/sql.js';
import { Store } from '../../src/store/store.js';
import { checkUpgrade, upgradeStore } from '../../src/store/upgrade.js';
import { forEachBackend, type TestBackend } from './backends.js';

async function rowCounts(db: SqlDb): Promise<Record<string, number>> {
  const tables = await db.all<{ name: string }>(
    db.dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_versions'"
      : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_versions'",
  );
  const out: Record<string, number> = {};
  for (const { name } of tables.sort((a, b) => a.name.localeCompare(b.name))) {
    out[name] = Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${name}`))!.n);
  }
  return out;
}

/** A test component: version `n` adds table `<name>_v<n>`; `failAt` throws after creating it. */
function component(name: string, versions: number, failAt?: number): SchemaComponent {
  return {
    name,
    migrations: Array.from({ length: versions }, (_, i) => ({
      version: i + 1,
      name: `add ${name}_v${i + 1}`,
      async up(db: SqlDb) {
        await db.exec(`CREATE TABLE ${name}_v${i + 1} (x INTEGER)`);
        if (i + 1 === failAt) throw new Error(`${name} step ${i + 1} is broken`);
      },
    })),
    async populate(db, version) {
      for (let v = 1; v <= version; v++)
        await db.run(`INSERT INTO ${name}_v${v} (x) VALUES (?), (?)`, [v, v]);
    },
  };
}

/** A store with each component at `versions[name]` (default latest) and rows to match. */
async function populatedStore(
  backend: TestBackend,
  components: readonly SchemaComponent[],
  versions: Record<string, number>,
) {
  const location = await backend.location();
  const db = await backend.open(location);
  await migrate(db, components, { upTo: versions });
  for (const c of components) {
    const v = versions[c.name] ?? latestVersion(c);
    if (v > 0) await c.populate?.(db, v);
  }
  return { db, location, snapshotDir: join(location.dataDir, 'snapshots') };
}

forEachBackend('store upgrade', (backend) => {
  for (const [i, c] of schemaComponents.entries()) {
    for (let k = 0; k < latestVersion(c); k++) {
      it(`upgrades a populated store from ${c.name} version ${k} without losing rows`, async () => {
        // Components migrated before c are current, c is at k, later ones do not exist yet.
        const upTo = Object.fromEntries(schemaComponents.slice(i).map((x) => [x.name, x === c ? k : 0]));
        const { db, location, snapshotDir } = await populatedStore(backend, schemaComponents, upTo);
        const before = await rowCounts(db);
        const brandNew = (await currentVersions(db)).size === 0;

        const { db: after, report } = await upgradeStore({ db, url: location.url, snapshotDir });
        assert.equal(report.ok, true, report.message);
        assert.deepEqual(report.behind, []);
        for (const x of schemaComponents)
          assert.equal((await currentVersions(after)).get(x.name), latestVersion(x), x.name);
        const counts = await rowCounts(after);
        // Derived tables (full-text indexes) are rebuilt from the blobs, and may move: SQLite's did.
        for (const [table, n] of Object.entries(before))
          if (!isDerivedTable(table)) assert.equal(counts[table], n, `rows of ${table}`);
        if (brandNew) assert.equal(report.snapshot, undefined);
        else assert.ok(report.snapshot && existsSync(report.snapshot), `snapshot left: ${report.message}`);
      });
    }
  }

  it('mailbox version 2 counts the messages already in a folder as told, not \\Recent', async () => {
    const upTo = Object.fromEntries(
      schemaComponents.slice(schemaComponents.indexOf(mailboxSchema)).map((x) => [x.name, 0]),
    );
    upTo.mailbox = 1;
    const { db, location, snapshotDir } = await populatedStore(backend, schemaComponents, upTo);
    const { db: after, report } = await upgradeStore({ db, url: location.url, snapshotDir });
    assert.equal(report.ok, true, report.message);
    const rows = await after.all<{ uidnext: number; first_recent_uid: number }>(
      'SELECT uidnext, first_recent_uid FROM mailbox_folders',
    );
    assert.ok(rows.length > 0);
    for (const r of rows) assert.equal(Number(r.first_recent_uid), Number(r.uidnext));
    if (after !== db) await after.close();
  });

  it('restores the snapshot when a migration fails: versions and rows as before, a clear message', async () => {
    const components = [...schemaComponents, component('upgrades_fine', 2), component('broken', 2, 2)];
    const { db, location, snapshotDir } = await populatedStore(backend, components, {
      upgrades_fine: 1,
      broken: 1,
    });
    const before = await rowCounts(db);
    const versionsBefore = await currentVersions(db);

    const { db: after, report } = await upgradeStore({ db, url: location.url, snapshotDir, components });
    assert.equal(report.ok, false);
    assert.deepEqual(report.failed, { component: 'broken', version: 2, error: 'broken step 2 is broken' });
    assert.deepEqual(report.behind, ['upgrades_fine', 'broken']);
    assert.match(report.message, /broken migration 2: broken step 2 is broken/);
    assert.match(report.message, /old schema without the services of: upgrades_fine, broken/);
    assert.ok(report.snapshot && existsSync(report.snapshot));
    assert.deepEqual(await currentVersions(after), versionsBefore);
    assert.deepEqual(await rowCounts(after), before);
    if (after !== db) await after.close();
  });

  it('keeps the directory upgraded when a later component fails, so the admin can log in', async () => {
    const components = [component('directory', 2), component('broken', 2, 2)];
    const { db, location, snapshotDir } = await populatedStore(backend, components, {
      directory: 1,
      broken: 1,
    });
    const { db: after, report } = await upgradeStore({ db, url: location.url, snapshotDir, components });
    assert.equal(report.ok, false);
    assert.deepEqual(report.behind, ['broken']);
    const versions = await currentVersions(after);
    assert.equal(versions.get('directory'), 2);
    assert.equal(versions.get('broken'), 1);
    assert.equal((await rowCounts(after)).directory_v1, 2);
    if (after !== db) await after.close();
  });

  it('upgrade --check runs the migrations on a copy and changes nothing', async () => {
    const components = [component('checked', 3)];
    const { db, snapshotDir } = await populatedStore(backend, components, { checked: 1 });
    const before = await rowCounts(db);
    const report = await checkUpgrade({ db, snapshotDir, components });
    assert.equal(report.ok, true, report.message);
    assert.deepEqual(
      report.steps.map((s) => [s.component, s.version, s.error]),
      [
        ['checked', 2, undefined],
        ['checked', 3, undefined],
      ],
    );
    assert.equal((await currentVersions(db)).get('checked'), 1);
    assert.deepEqual(await rowCounts(db), before);
    assert.deepEqual(existsSync(snapshotDir) ? readdirSync(snapshotDir) : [], []);

    const failing = await checkUpgrade({ db, snapshotDir, components: [component('checked', 3, 3)] });
    assert.equal(failing.ok, false);
    assert.deepEqual(failing.failed, { component: 'checked', version: 3, error: 'checked step 3 is broken' });
    assert.match(failing.message, /would fail at checked migration 3/);
    assert.equal((await currentVersions(db)).get('checked'), 1);
  });

  it('Store.open creates a new store without a snapshot and snapshots an existing one before upgrading', async () => {
    const fresh = await Store.open(await backend.config());
    assert.equal(fresh.upgrade.message, 'created a new store');
    assert.equal(fresh.isCurrent('blobs'), true);
    const info = await fresh.info();
    assert.equal(info.backend, backend.name);
    assert.deepEqual(
      info.components,
      schemaComponents.map((c) => ({ name: c.name, version: latestVersion(c), latest: latestVersion(c) })),
    );
    assert.ok(info.dbBytes > 0);
    await fresh.close();

    // A store as an older Mailstead left it, with blobs at version 1.
    const config = await backend.config();
    const old = await backend.open({ url: config.get<string>('store.url'), dataDir: config.dataDir });
    await migrate(old, schemaComponents, { upTo: { blobs: 1 } });
    await old.close();

    const upgraded = await Store.open(config);
    try {
      assert.equal(upgraded.upgrade.ok, true, upgraded.upgrade.message);
      assert.ok(upgraded.upgrade.snapshot?.startsWith(join(config.dataDir, 'snapshots')));
      assert.equal((await currentVersions(upgraded.db)).get('blobs'), latestVersion(blobsSchema));
    } finally {
      await upgraded.close();
    }
  });
});
