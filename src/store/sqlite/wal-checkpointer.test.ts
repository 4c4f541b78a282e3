import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { tempDir } from '../../../test/support/tmp.js';
import type { SqlDb } from '../sql.js';
import { SqliteDb } from './sqlite-db.js';

/** Writes about 4 MB in 40 commits: four times SQLite's automatic checkpoint threshold. */
async function fill(db: SqliteDb): Promise<void> {
  await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)');
  for (let i = 0; i < 40; i++)
    await db.tx(async (tx) => {
      for (let j = 0; j < 25; j++) await tx.run('INSERT INTO t (data) VALUES (?)', [Buffer.alloc(4000, i)]);
    });
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('copies committed pages into the database file from its worker, none from the committing thread', async () => {
  const { dir, cleanup } = tempDir('mailstead-ckpt-');
  const file = join(dir, 'x.db');
  const db = SqliteDb.open(file);
  try {
    db.checkpointInBackground();
    assert.equal(db.raw.pragma('wal_autocheckpoint', { simple: true }), 0);
    await fill(db);
    await until('the database file holds the rows', () => statSync(file).size > 4_000_000);
    assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 1000);
  } finally {
    await db.close();
    cleanup();
  }
});

it('leaves the database file alone without the worker when automatic checkpoints are off (the control)', async () => {
  const { dir, cleanup } = tempDir('mailstead-ckpt-');
  const file = join(dir, 'x.db');
  const db = SqliteDb.open(file);
  try {
    db.raw.pragma('wal_autocheckpoint = 0');
    await fill(db);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(statSync(file).size < 100_000, `database file ${statSync(file).size} bytes`);
    assert.ok(statSync(`${file}-wal`).size > 4_000_000);
  } finally {
    await db.close();
    cleanup();
  }
});

it('stops its worker on close, so a reopened store sees every row', async () => {
  const { dir, cleanup } = tempDir('mailstead-ckpt-');
  const file = join(dir, 'x.db');
  try {
    const db = SqliteDb.open(file);
    db.checkpointInBackground();
    await fill(db);
    await db.close();
    const again = SqliteDb.open(file, { readonly: true });
    assert.equal((await again.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 1000);
    await again.close();
  } finally {
    cleanup();
  }
});

/**
 * The WAL's length in frames after a commit that follows about 250 frames the worker has not copied
 * (it rests a minute after each pass unless asked).
 */
async function walAfterUncopiedWrites(restartFrames: number): Promise<number> {
  const { dir, cleanup } = tempDir('mailstead-ckpt-');
  const file = join(dir, 'x.db');
  const db = SqliteDb.open(file);
  const insert = (tx: SqlDb, n: number) => tx.run('INSERT INTO t (data) VALUES (?)', [Buffer.alloc(n, 1)]);
  try {
    db.checkpointInBackground({ restartFrames, intervalMs: 60_000 });
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)');
    // The worker's first pass, at its start, copies the table into the file (one page at open).
    await until('the worker copied the table', () => statSync(file).size > 4096);
    await db.tx(async (tx) => {
      for (let i = 0; i < 10; i++) await insert(tx, 100_000);
    });
    await db.tx((tx) => insert(tx, 100));
    // Another connection's checkpoint reports the WAL's length (-1 while another holds it).
    const other = SqliteDb.open(file);
    let log = -1;
    for (let i = 0; i < 100 && log < 0; i++) {
      [{ log }] = other.raw.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
      if (log < 0) await new Promise((r) => setTimeout(r, 20));
    }
    await other.close();
    assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 11);
    return log;
  } finally {
    await db.close();
    cleanup();
  }
}

it('starts the WAL over once it is long, though commits landed since the last checkpoint', async () => {
  assert.ok((await walAfterUncopiedWrites(100)) < 10);
  // The control: without making way, the commit goes on at the end of the WAL.
  assert.ok((await walAfterUncopiedWrites(1e9)) > 200);
});
