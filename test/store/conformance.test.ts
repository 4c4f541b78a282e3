import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError } from '../../src/core/errors.js';
import { addBlobRefs, collectGarbage, releaseBlobRefs } from '../../src/store/blobs/blob-refs.js';
import {
  currentVersions,
  migrate,
  MigrationError,
  type MigrationStep,
  pendingMigrations,
} from '../../src/store/migrate.js';
import type { SchemaComponent } from '../../src/store/migration.js';
import { ddl, type SqlDb } from '../../src/store/sql.js';
import { forEachBackend, INLINE_MAX } from './backends.js';

async function withTable(db: SqlDb): Promise<SqlDb> {
  await db.exec(ddl(db, 'CREATE TABLE t (id {{id}}, name TEXT, flag INTEGER, at {{bigint}}, data {{blob}})'));
  return db;
}

const names = async (db: SqlDb) =>
  (await db.all<{ name: string }>('SELECT name FROM t ORDER BY name')).map((r) => r.name);

/** A component whose step `failAt` creates a table and then throws. */
function testComponent(failAt?: number): SchemaComponent {
  const step = (version: number) => ({
    version,
    name: `step ${version}`,
    async up(db: SqlDb) {
      await db.exec(`CREATE TABLE conf_v${version} (x INTEGER)`);
      if (version === failAt) throw new Error(`step ${version} is broken`);
    },
  });
  return { name: 'conformance', migrations: [step(1), step(2)] };
}

async function* pieces(buf: Buffer, sizes: number[]): AsyncIterable<Buffer> {
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield buf.subarray(at, at + n);
    at += n;
  }
}

forEachBackend('store conformance', (backend) => {
  describe('SqlDb', () => {
    it('runs statements: exec several, run counts changes, get and all read', async () => {
      const db = await withTable(await backend.db({ migrate: false }));
      assert.equal((await db.run('INSERT INTO t (name) VALUES (?)', ['a'])).changes, 1);
      await db.run('INSERT INTO t (name) VALUES (?), (?)', ['b', 'c']);
      assert.equal((await db.run('UPDATE t SET flag = 1 WHERE name <> ?', ['a'])).changes, 2);
      assert.deepEqual(await db.get('SELECT name, flag FROM t WHERE name = ?', ['b']), {
        name: 'b',
        flag: 1,
      });
      assert.equal(await db.get('SELECT name FROM t WHERE name = ?', ['zz']), undefined);
      assert.deepEqual(await names(db), ['a', 'b', 'c']);
    });

    it('leaves ? inside quoted text alone', async () => {
      const db = await withTable(await backend.db({ migrate: false }));
      await db.run("INSERT INTO t (name, data) VALUES ('it''s ? \"?\"', ?)", [Buffer.from('x')]);
      const row = await db.get<{ name: string }>(
        "SELECT name FROM t WHERE name = 'it''s ? \"?\"' AND data = ?",
        [Buffer.from('x')],
      );
      assert.equal(row?.name, 'it\'s ? "?"');
    });

    it('stores booleans as 0/1, times as integer ms (number or bigint), Buffers byte for byte', async () => {
      const db = await withTable(await backend.db({ migrate: false }));
      const bytes = Buffer.concat([Buffer.from([0, 255, 0, 10, 13]), randomBytes(1000)]);
      const now = Date.now();
      await db.run('INSERT INTO t (name, flag, at, data) VALUES (?, ?, ?, ?)', ['yes', true, now, bytes]);
      await db.run('INSERT INTO t (name, flag, at, data) VALUES (?, ?, ?, ?)', [
        'no',
        false,
        4_102_444_800_000n,
        new Uint8Array([1, 2]),
      ]);
      const rows = await db.all<{ name: string; flag: number; at: number; data: Buffer }>(
        'SELECT name, flag, at, data FROM t ORDER BY name DESC',
      );
      assert.deepEqual(
        rows.map((r) => [r.name, r.flag, r.at]),
        [
          ['yes', 1, now],
          ['no', 0, 4_102_444_800_000],
        ],
      );
      assert.ok(Buffer.isBuffer(rows[0]!.data));
      assert.ok(rows[0]!.data.equals(bytes));
      assert.ok(rows[1]!.data.equals(Buffer.from([1, 2])));
    });

    it('commits a transaction, and rolls it back when it throws', async () => {
      const db = await withTable(await backend.db({ migrate: false }));
      assert.equal(
        await db.tx(async (t) => (await t.run('INSERT INTO t (name) VALUES (?)', ['kept'])).changes),
        1,
      );
      await assert.rejects(
        db.tx(async (t) => {
          await t.run('INSERT INTO t (name) VALUES (?)', ['lost']);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await names(db), ['kept']);
    });

    it('nests transactions as savepoints: an inner failure undoes only the inner writes', async () => {
      const db = await withTable(await backend.db({ migrate: false }));
      await db.tx(async (t) => {
        await t.run('INSERT INTO t (name) VALUES (?)', ['outer1']);
        await assert.rejects(
          t.tx(async (inner) => {
            await inner.run('INSERT INTO t (name) VALUES (?)', ['inner']);
            throw new Error('inner fails');
          }),
        );
        await t.tx((inner) => inner.run('INSERT INTO t (name) VALUES (?)', ['inner-ok']));
        await t.run('INSERT INTO t (name) VALUES (?)', ['outer2']);
      });
      assert.deepEqual(await names(db), ['inner-ok', 'outer1', 'outer2']);
    });

    it('keeps uncommitted writes of interleaving callers apart', async () => {
      const db = await withTable(await backend.db({ migrate: false }));
      let bWrote!: () => void;
      const bHasWritten = new Promise<void>((r) => (bWrote = r));
      let aRead!: () => void;
      const aHasRead = new Promise<void>((r) => (aRead = r));
      const rolledBack = new Error('roll back');
      // A waits for B to write (PostgreSQL runs them side by side) or for a while (SQLite runs
      // them one after the other), then reads and rolls back; B commits only after A has read,
      // so what A sees can only be B's uncommitted write, which it must not.
      const a = db.tx(async (t) => {
        await t.run('INSERT INTO t (name) VALUES (?)', ['a']);
        await Promise.race([bHasWritten, sleep(200)]);
        const seen = await names(t);
        aRead();
        throw Object.assign(rolledBack, { seen });
      });
      const outside = names(db);
      const b = db.tx(async (t) => {
        await t.run('INSERT INTO t (name) VALUES (?)', ['b']);
        bWrote();
        await Promise.race([aHasRead, sleep(200)]);
        // The read from outside must be answered before B commits; on PostgreSQL it waits for a
        // pool connection of its own, which under load could come after B's commit.
        await outside;
        return names(t);
      });
      const [aResult, bSeen, outsideSeen] = await Promise.allSettled([a, b, outside]);
      assert.equal(aResult.status, 'rejected');
      assert.deepEqual((rolledBack as Error & { seen: string[] }).seen, ['a']);
      assert.deepEqual(bSeen.status === 'fulfilled' && bSeen.value, ['b']);
      assert.deepEqual(outsideSeen.status === 'fulfilled' && outsideSeen.value, []);
      assert.deepEqual(await names(db), ['b']);
    });
  });

  describe('migrations', () => {
    it('creates a fresh schema and is a no-op when run again', async () => {
      const db = await backend.db({ migrate: false });
      const steps: MigrationStep[] = [];
      await migrate(db, [testComponent()], { onStep: (s) => steps.push(s) });
      assert.deepEqual(
        steps.map((s) => [s.component, s.version, s.error]),
        [
          ['conformance', 1, undefined],
          ['conformance', 2, undefined],
        ],
      );
      await migrate(db, [testComponent()], { onStep: (s) => steps.push(s) });
      assert.equal(steps.length, 2);
      assert.equal((await currentVersions(db)).get('conformance'), 2);
      assert.deepEqual(await pendingMigrations(db, [testComponent()]), []);
    });

    it('stops at `upTo`, and a later run continues from there', async () => {
      const db = await backend.db({ migrate: false });
      await migrate(db, [testComponent()], { upTo: { conformance: 1 } });
      assert.deepEqual(await pendingMigrations(db, [testComponent()]), [
        { component: 'conformance', from: 1, to: 2, steps: [{ version: 2, name: 'step 2' }] },
      ]);
      await migrate(db, [testComponent()]);
      assert.equal((await currentVersions(db)).get('conformance'), 2);
    });

    it('leaves a component at the previous version when a step fails, with nothing of the step left', async () => {
      const db = await backend.db({ migrate: false });
      const err = await migrate(db, [testComponent(2)]).catch((e: unknown) => e);
      assert.ok(err instanceof MigrationError);
      assert.equal(err.component, 'conformance');
      assert.equal(err.version, 2);
      assert.match(err.message, /step 2 is broken/);
      assert.equal((await currentVersions(db)).get('conformance'), 1);
      await db.get('SELECT COUNT(*) AS n FROM conf_v1');
      await assert.rejects(db.get('SELECT COUNT(*) AS n FROM conf_v2'));
    });

    it('refuses a store whose schema is newer than this code knows', async () => {
      const db = await backend.db({ migrate: false });
      await migrate(db, [testComponent()]);
      const older: SchemaComponent = {
        name: 'conformance',
        migrations: testComponent().migrations.slice(0, 1),
      };
      await assert.rejects(pendingMigrations(db, [older]), /newer than this Mailstead knows/);
    });
  });

  describe('blob store', () => {
    for (const volume of ['', 'archive']) {
      const where = volume ? `volume ${volume}` : 'the default location';
      it(`stores, reads whole and in ranges, and de-duplicates (${where})`, async () => {
        const db = await backend.db();
        const blobs = backend.blobs(db);
        const body = randomBytes(700_000);
        const ref = await blobs.put(pieces(body, [1, 100_000, 7, 300_000]), volume);
        assert.deepEqual(ref, { hash: createHash('sha256').update(body).digest('hex'), size: body.length });
        assert.ok((await blobs.get(ref.hash, volume)).equals(body));
        for (const [s, e] of [
          [0, 10],
          [262_140, 262_150],
          [100, 600_000],
          [699_990, 800_000],
          [700_000, 700_010],
        ] as const) {
          assert.ok(
            (await blobs.read(ref.hash, s, e, volume)).equals(body.subarray(s, e)),
            `range ${s}-${e}`,
          );
        }
        assert.deepEqual(await blobs.put(body, volume), ref);
        const listed = [];
        for await (const f of blobs.list(volume)) listed.push(f.hash);
        assert.deepEqual(listed, [ref.hash]);
        assert.equal(await blobs.has(ref.hash, volume), true);
        const empty = await blobs.put(Buffer.alloc(0), volume);
        assert.equal((await blobs.get(empty.hash, volume)).length, 0);
      });
    }

    for (const volume of ['', 'archive']) {
      it(`reads many blobs at once, small, chunked and empty, leaving out unknown hashes (${volume || 'default'})`, async () => {
        const blobs = backend.blobs(await backend.db());
        const bodies = [
          randomBytes(4_000),
          randomBytes(INLINE_MAX + 1),
          randomBytes(600_000),
          Buffer.alloc(0),
          randomBytes(10),
        ];
        const refs = [];
        for (const b of bodies) refs.push(await blobs.put(b, volume));
        const missing = 'f'.repeat(64);
        const got = await blobs.getMany([missing, ...refs.map((r) => r.hash)], volume);
        assert.equal(got.size, bodies.length);
        assert.equal(got.has(missing), false);
        refs.forEach((r, i) => assert.ok(got.get(r.hash)?.equals(bodies[i]!), `body ${i}`));
        assert.equal((await blobs.getMany([], volume)).size, 0);
      });
    }

    it('reports a missing blob as not found and an unknown volume clearly', async () => {
      const blobs = backend.blobs(await backend.db());
      await assert.rejects(blobs.get('0'.repeat(64)), NotFoundError);
      await assert.rejects(blobs.read('0'.repeat(64), 0, 1), NotFoundError);
      assert.equal(await blobs.has('0'.repeat(64)), false);
      assert.throws(() => blobs.list('nowhere'), /blob volume nowhere/);
    });

    it('leaves nothing behind when the data stream fails', async () => {
      const blobs = backend.blobs(await backend.db());
      async function* broken(): AsyncIterable<Buffer> {
        yield randomBytes(300_000);
        throw new Error('client went away');
      }
      await assert.rejects(blobs.put(broken()), /client went away/);
      for await (const f of blobs.list()) assert.fail(`left ${f.hash}`);
      assert.equal(await blobs.sweepTemp(Date.now() + 60_000), 0);
    });

    it('collects garbage: referenced blobs stay, released ones go, young orphans wait for the grace time', async () => {
      const db = await backend.db();
      const blobs = backend.blobs(db);
      const kept = await blobs.put(Buffer.from('kept'));
      const released = await blobs.put(Buffer.from('released'));
      const orphan = await blobs.put(Buffer.from('orphan'));
      await db.tx(async (t) => {
        await addBlobRefs(t, kept, 2);
        await addBlobRefs(t, released, 1);
      });
      await releaseBlobRefs(db, kept.hash);
      await releaseBlobRefs(db, released.hash);

      const young = await collectGarbage(db, blobs, { graceMs: 3_600_000 });
      assert.equal(young.released, 1);
      assert.equal(young.releasedBytes, released.size);
      assert.equal(young.removed, 0);
      assert.equal(await blobs.has(orphan.hash), true);
      assert.equal(await blobs.has(released.hash), true);

      const progress: string[] = [];
      const old = await collectGarbage(db, blobs, {
        graceMs: -1000,
        onProgress: (p) => progress.push(p.phase),
      });
      assert.equal(old.removed, 2);
      assert.ok(progress.includes('blobs'));
      assert.equal(await blobs.has(kept.hash), true);
      assert.equal(await blobs.has(released.hash), false);
      assert.equal(await blobs.has(orphan.hash), false);
      assert.deepEqual(await db.all('SELECT hash, refs FROM blobs'), [{ hash: kept.hash, refs: 1 }]);
    });

    it('counts references per volume: releasing one copy leaves the other', async () => {
      const db = await backend.db();
      const blobs = backend.blobs(db);
      const body = Buffer.from('same body, two accounts on two volumes');
      const ref = await blobs.put(body);
      await blobs.put(body, 'archive');
      await addBlobRefs(db, ref, 1);
      await addBlobRefs(db, ref, 1, 'archive');
      await releaseBlobRefs(db, ref.hash, 1);
      await collectGarbage(db, blobs, { graceMs: -1000 });
      assert.equal(await blobs.has(ref.hash), false);
      assert.ok((await blobs.get(ref.hash, 'archive')).equals(body));
    });
  });
});
