import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../support/tmp.js';
import { password, sieveFixture, type SieveFixture } from './sieve-fixture.js';

const USER = 'carol@example.test';

/** Runs sieve-connect (Debian package sieve-connect) with the password on fd 3, never blocking the event loop. */
function sieveConnect(
  port: number,
  dir: string,
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  const pw = join(dir, 'pw');
  writeFileSync(pw, password(USER));
  const cmd = [
    'sieve-connect',
    '--server',
    '127.0.0.1',
    '--port',
    String(port),
    '--user',
    USER,
    '--authmech',
    'PLAIN',
    '--notlsverify',
    '--passwordfd',
    '3',
    ...args,
  ]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', `${cmd} 3<'${pw}'`],
      { encoding: 'utf8', timeout: 30_000, cwd: dir },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

describe('sieve-connect against the ManageSieve server', () => {
  let f: SieveFixture;
  let port: number;
  const tmp = tempDir();
  before(async () => {
    f = await sieveFixture([USER]);
    port = f.server.port('managesieve');
  });
  after(async () => {
    await f.close();
    tmp.cleanup();
  });

  test('uploads, lists, activates, downloads, deactivates and deletes a script', async () => {
    const script =
      'require ["fileinto"];\nif header :contains "subject" "invoice" {\n  fileinto "Invoices";\n}\n';
    writeFileSync(join(tmp.dir, 'filter.sieve'), script);
    const up = await sieveConnect(port, tmp.dir, [
      '--upload',
      '--localsieve',
      'filter.sieve',
      '--remotesieve',
      'filter',
    ]);
    assert.equal(up.status, 0, up.stderr);
    const act = await sieveConnect(port, tmp.dir, ['--activate', '--remotesieve', 'filter']);
    assert.equal(act.status, 0, act.stderr);
    const list = await sieveConnect(port, tmp.dir, ['--list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^"filter" ACTIVE$/m);
    const down = await sieveConnect(port, tmp.dir, [
      '--download',
      '--remotesieve',
      'filter',
      '--localsieve',
      'copy.sieve',
    ]);
    assert.equal(down.status, 0, down.stderr);
    assert.equal(readFileSync(join(tmp.dir, 'copy.sieve'), 'utf8').replace(/\r\n/g, '\n'), script);
    const refused = await sieveConnect(port, tmp.dir, ['--delete', '--remotesieve', 'filter']);
    assert.notEqual(refused.status, 0, 'the active script cannot be deleted');
    assert.equal((await sieveConnect(port, tmp.dir, ['--deactivate'])).status, 0);
    const del = await sieveConnect(port, tmp.dir, ['--delete', '--remotesieve', 'filter']);
    assert.equal(del.status, 0, del.stderr);
    assert.deepEqual(await f.server.app.sieve.listScripts(f.ids.get(USER)!), []);
  });

  test('a script with an error is refused at upload with its line', async () => {
    writeFileSync(join(tmp.dir, 'bad.sieve'), 'keep;\nfileinto "x";\n');
    const r = await sieveConnect(port, tmp.dir, [
      '--upload',
      '--localsieve',
      'bad.sieve',
      '--remotesieve',
      'bad',
    ]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /line 2/);
  });
});
