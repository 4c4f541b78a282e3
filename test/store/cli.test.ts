import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CliContext, CommandGroup } from '../../src/cli/command.js';
import { storeCommand } from '../../src/cli/store.js';
import { upgradeCommand } from '../../src/cli/upgrade.js';
import type { Config } from '../../src/config/config.js';
import { addBlobRefs, releaseBlobRefs } from '../../src/store/blobs/blob-refs.js';
import { schemaComponents } from '../../src/store/components.js';
import { currentVersions, migrate } from '../../src/store/migrate.js';
import { openBlobStore } from '../../src/store/store.js';
import { forEachBackend, type TestBackend } from './backends.js';

/** Runs a command group as `mailstead` would, capturing its output. */
async function run(group: CommandGroup, config: Config, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    dataDir: config.dataDir,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    json: false,
  };
  const code = (await group.run(args, ctx)) ?? 0;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A store as an older Mailstead left it: blobs at version 1. */
async function oldStore(backend: TestBackend): Promise<Config> {
  const config = await backend.config();
  const db = await backend.open({ url: config.get<string>('store.url'), dataDir: config.dataDir });
  await migrate(db, schemaComponents, { upTo: { blobs: 1 } });
  await db.close();
  return config;
}

forEachBackend('mailstead upgrade and store commands', (backend) => {
  it('upgrade --check prints each step and changes nothing; upgrade then migrates', async () => {
    const config = await oldStore(backend);
    const check = await run(upgradeCommand, config, '--check');
    assert.equal(check.code, 0, check.err);
    assert.match(check.out, /blobs: version 1 -> 3/);
    assert.match(check.out, /OK {3}blobs 2 reference counts per volume \(\d+ ms\)/);
    assert.match(check.out, /would succeed \(2 steps\); nothing was changed/);
    const info = await run(storeCommand, config, 'info');
    assert.match(info.out, /blobs 1 \(this version expects 3\)/);

    const up = await run(upgradeCommand, config);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /store upgraded \(2 steps\); snapshot /);
    const db = await backend.open({ url: config.get<string>('store.url'), dataDir: config.dataDir });
    assert.equal((await currentVersions(db)).get('blobs'), 3);
    assert.match((await run(upgradeCommand, config, '--check')).out, /up to date/);
  });

  it('store gc removes unreferenced blobs and store info counts them', async () => {
    const config = await backend.config();
    const db = await backend.open({ url: config.get<string>('store.url'), dataDir: config.dataDir });
    await migrate(db, schemaComponents);
    const blobs = openBlobStore(config, db);
    const kept = await blobs.put(Buffer.from('kept'));
    const dropped = await blobs.put(Buffer.from('dropped'));
    await addBlobRefs(db, kept);
    await addBlobRefs(db, dropped);
    await releaseBlobRefs(db, dropped.hash);
    assert.match((await run(storeCommand, config, 'info')).out, /blobs: +1 \(4\), 1 awaiting gc/);
    const gc = await run(storeCommand, config, 'gc', '--grace', '0s');
    assert.match(gc.out, /released 1 references \(7\), removed 1 blobs/);
    assert.equal(await blobs.has(dropped.hash), false);
    assert.equal(await blobs.has(kept.hash), true);
    await assert.rejects(run(storeCommand, config, 'gc', '--grace', 'soon'), /not a duration/);
  });
});
