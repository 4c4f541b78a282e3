import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DbBlobStore } from '../../src/store/blobs/db-blob-store.js';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.js';
import { TieredBlobStore } from '../../src/store/blobs/tiered-blob-store.js';
import { blobsSchema } from '../../src/store/blobs/blobs-schema.js';
import { migrate } from '../../src/store/migrate.js';
import { SqliteDb } from '../../src/store/sqlite/sqlite-db.js';
import { tempDir } from '../support/tmp.js';

const MAX = 10_000;

async function* pieces(body: Buffer, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

describe('tiered blob store (small bodies in the database, the rest as files)', () => {
  const { dir, cleanup } = tempDir('tiered-');
  after(cleanup);
  let n = 0;
  async function open() {
    const db = SqliteDb.open(join(dir, `db${++n}.sqlite`));
    await migrate(db, [blobsSchema]);
    const files = new FsBlobStore(join(dir, `files${n}`));
    return { db, files, blobs: new TieredBlobStore(new DbBlobStore(db), files, MAX) };
  }
  const rows = async (db: SqliteDb) =>
    Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM blob_contents'))?.n);
  const filePath = (root: string, hash: string) => join(root, hash.slice(0, 2), hash.slice(2, 4), hash);

  it('puts a body by its size: up to the limit as a row, over it as a file, streamed or whole', async () => {
    const { db, files, blobs } = await open();
    const root = join(dir, `files${n}`);
    for (const [size, inDb] of [
      [0, true],
      [MAX, true],
      [MAX + 1, false],
      [5 * MAX, false],
    ] as const) {
      for (const streamed of [false, true]) {
        const body = randomBytes(size);
        const hash = createHash('sha256').update(body).digest('hex');
        const ref = await blobs.put(streamed ? pieces(body, 3_000) : body);
        assert.deepEqual(ref, { hash, size });
        assert.equal(await new DbBlobStore(db).has(hash), inDb, `${size} in db`);
        assert.equal(existsSync(filePath(root, hash)), !inDb, `${size} as a file`);
        assert.ok((await blobs.get(hash)).equals(body));
        assert.ok((await blobs.read(hash, 1, 2_500)).equals(body.subarray(1, 2_500)));
        assert.equal(await blobs.has(hash), true);
        assert.equal(await files.has(hash), !inDb);
      }
    }
    await db.close();
  });

  it('finds a small body kept as a file before the tier existed, and removes and lists both tiers', async () => {
    const { db, files, blobs } = await open();
    const old = Buffer.from('written as a file by an older version');
    const oldRef = await files.put(old);
    const fresh = await blobs.put(Buffer.from('written now'));
    assert.ok((await blobs.get(oldRef.hash)).equals(old));
    const listed: string[] = [];
    for await (const b of blobs.list()) listed.push(b.hash);
    assert.deepEqual(listed.sort(), [oldRef.hash, fresh.hash].sort());
    await blobs.remove(oldRef.hash);
    await blobs.remove(fresh.hash);
    assert.equal(await blobs.has(oldRef.hash), false);
    assert.equal(await blobs.has(fresh.hash), false);
    await db.close();
  });

  it('keeps nothing of a stream that fails, small or large', async () => {
    const { db, blobs } = await open();
    for (const size of [100, 3 * MAX]) {
      async function* broken(): AsyncIterable<Buffer> {
        yield randomBytes(size);
        throw new Error('client went away');
      }
      await assert.rejects(blobs.put(broken()), /client went away/);
    }
    for await (const b of blobs.list()) assert.fail(`left ${b.hash}`);
    assert.equal(await blobs.sweepTemp(Date.now() + 60_000), 0);
    assert.equal(await rows(db), 0);
    await db.close();
  });

  it('stores the same small body once', async () => {
    const { db, blobs } = await open();
    const body = Buffer.from('twice');
    await Promise.all([blobs.put(body), blobs.put(body), blobs.put(pieces(body, 2))]);
    assert.equal(await rows(db), 1);
    await db.close();
    rmSync(join(dir, `db${n}.sqlite`), { force: true });
  });
});
