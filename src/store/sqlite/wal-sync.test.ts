import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tempDir } from '../../../test/support/tmp.js';
import { WalSync } from './wal-sync.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

it('shares one flush among the callers that arrive while a flush runs', async () => {
  const { dir, cleanup } = tempDir('mailstead-walsync-');
  try {
    const file = join(dir, 'x.db-wal');
    writeFileSync(file, 'frames');
    const sync = new WalSync(file);
    let flushes = 0;
    const flush = (sync as unknown as { flush: () => Promise<void> }).flush.bind(sync);
    (sync as unknown as { flush: () => Promise<void> }).flush = async () => {
      flushes++;
      await flush();
    };
    await Promise.all(Array.from({ length: 100 }, () => sync.durable()));
    // The first caller's flush, then one more for everyone who came during it.
    assert.equal(flushes, 2);
    await sync.durable();
    assert.equal(flushes, 3);
  } finally {
    cleanup();
  }
});

it('treats a missing WAL file as nothing left to flush', async () => {
  const { dir, cleanup } = tempDir('mailstead-walsync-');
  try {
    await new WalSync(join(dir, 'none.db-wal')).durable();
  } finally {
    cleanup();
  }
});
