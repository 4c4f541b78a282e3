import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { SqliteDb } from './sqlite-db.js';

it('opens in WAL mode and resolves a write only after flushing the WAL to disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailstead-sqlite-'));
  try {
    const db = SqliteDb.open(join(dir, 'a.db'));
    assert.equal(db.raw.pragma('journal_mode', { simple: true }), 'wal');
    // NORMAL: the per-commit fsync is ours (WalSync), not SQLite's blocking one.
    assert.equal(db.raw.pragma('synchronous', { simple: true }), 1);
    const order: string[] = [];
    const durable = db.durable.bind(db);
    db.durable = async () => {
      order.push('flush');
      await durable();
      order.push('flushed');
    };
    await db.exec('CREATE TABLE t (x INTEGER)');
    order.length = 0;
    await db.tx((t) => t.run('INSERT INTO t (x) VALUES (1)'));
    order.push('tx resolved');
    await db.run('INSERT INTO t (x) VALUES (2)');
    order.push('run resolved');
    await db.run('DELETE FROM t WHERE x = 99');
    order.push('no-op run resolved');
    assert.deepEqual(order, [
      'flush',
      'flushed',
      'tx resolved',
      'flush',
      'flushed',
      'run resolved',
      'no-op run resolved',
    ]);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => db.tx((t) => t.run('INSERT INTO t (x) VALUES (?)', [i]))),
    );
    assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 52);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('keeps a committed write when the process is killed right after the commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailstead-sqlite-'));
  try {
    const file = join(dir, 'a.db');
    const child = `
      import { SqliteDb } from ${JSON.stringify(new URL('./sqlite-db.js', import.meta.url).href)};
      const db = SqliteDb.open(${JSON.stringify(file)});
      await db.exec('CREATE TABLE t (x INTEGER)');
      await db.tx((t) => t.run('INSERT INTO t (x) VALUES (?)', [42]));
      process.kill(process.pid, 'SIGKILL');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child]);
    assert.equal(r.signal, 'SIGKILL', r.stderr.toString());
    const db = SqliteDb.open(file);
    assert.deepEqual(await db.all('SELECT x FROM t'), [{ x: 42 }]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
