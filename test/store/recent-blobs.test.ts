import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.js';
import { RecentBlobs } from '../../src/store/blobs/recent-blobs.js';
import { tempDir } from '../support/tmp.js';

async function* pieces(body: Buffer, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

describe('recently written blobs served from memory', () => {
  const { dir, cleanup } = tempDir('recent-');
  after(cleanup);

  it('serves what it just wrote without the store, within its budget, oldest out first', async () => {
    const files = new FsBlobStore(join(dir, 'a'));
    const recent = new RecentBlobs(files, 3_000, 1_500);
    const bodies = [randomBytes(1_000), randomBytes(1_000), randomBytes(1_000), randomBytes(1_000)];
    const refs = [];
    for (const [i, b] of bodies.entries()) refs.push(await recent.put(i % 2 ? pieces(b, 300) : b));
    const big = await recent.put(pieces(randomBytes(2_000), 700));
    // Behind the cache's back: what it still holds is served without the file; the rest is not.
    for (const r of [...refs, big]) await files.remove(r.hash);
    await assert.rejects(recent.get(refs[0]!.hash), /not found/);
    await assert.rejects(recent.get(big.hash), /not found/);
    for (const i of [1, 2, 3]) {
      assert.equal(await recent.has(refs[i]!.hash), false, 'has() asks the store');
      assert.ok((await recent.get(refs[i]!.hash)).equals(bodies[i]!));
      assert.ok((await recent.read(refs[i]!.hash, 10, 20)).equals(bodies[i]!.subarray(10, 20)));
    }
  });

  it('reads many from memory where it can and asks the store for the rest', async () => {
    const files = new FsBlobStore(join(dir, 'c'));
    const recent = new RecentBlobs(files, 1_500, 1_500);
    const older = await recent.put(randomBytes(1_000));
    const newer = randomBytes(1_000);
    const kept = await recent.put(newer);
    // Only the newer body fits the budget; with its file gone, it can come from memory alone.
    await files.remove(kept.hash);
    const got = await recent.getMany([older.hash, kept.hash, 'e'.repeat(64)]);
    assert.deepEqual([...got.keys()].sort(), [older.hash, kept.hash].sort());
    assert.ok(got.get(kept.hash)!.equals(newer));
    assert.ok(got.get(older.hash)!.equals(await files.get(older.hash)));
  });

  it('keeps a body streamed in one piece as that piece, unless the piece is a slice of more memory', async () => {
    const recent = new RecentBlobs(new FsBlobStore(join(dir, 'd')));
    const body = randomBytes(100_000);
    const one = await recent.put(pieces(body, body.length));
    assert.equal((await recent.get(one.hash)).buffer, body.buffer, 'the same memory');
    const split = randomBytes(100_000);
    const two = await recent.put(pieces(split, 60_000));
    assert.ok((await recent.get(two.hash)).equals(split));
    // A piece over larger memory (a cloned one has 8 KiB of its own) would keep all of it: copied.
    const cloned = Buffer.allocUnsafeSlow(8192).fill(7);
    const small = cloned.subarray(100, 112);
    const kept = await recent.get((await recent.put(pieces(small, small.length))).hash);
    assert.ok(kept.equals(small));
    assert.notEqual(kept.buffer, cloned.buffer);
  });

  it('forgets a removed blob', async () => {
    const recent = new RecentBlobs(new FsBlobStore(join(dir, 'b')));
    const ref = await recent.put(Buffer.from('gone soon'));
    await recent.remove(ref.hash);
    assert.equal(await recent.has(ref.hash), false);
    await assert.rejects(recent.get(ref.hash), /not found/);
  });
});
