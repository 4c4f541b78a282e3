import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { initDataDir } from '../../src/cli/init.js';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('mailstead token', () => {
  const { dir, cleanup } = tempDir();
  let admin: string;
  before(async () => {
    admin = (await initDataDir(dir, { hostname: 'mail.example.test' })).adminAddress;
  });
  after(() => cleanup());

  test('create prints the token once, list shows it without the secret, revoke removes it', async () => {
    const created = await cli(dir, 'token', 'create', admin, '--name', 'nightly backup', '--expires', '30d');
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /^mst_[A-Za-z0-9_-]{43}$/);
    const listed = await cli(dir, 'token', 'list');
    assert.match(listed.out, /nightly backup/);
    assert.ok(!listed.out.includes(created.out));
    const id = /^(\d+)/m.exec(listed.out.split('\n')[1]!)![1]!;
    assert.equal((await cli(dir, 'token', 'revoke', id)).code, 0);
    assert.doesNotMatch((await cli(dir, 'token', 'list')).out, /nightly backup/);
  });

  test('mistakes are one-line operator errors', async () => {
    assert.notEqual((await cli(dir, 'token', 'create', admin)).code, 0);
    assert.match(
      (await cli(dir, 'token', 'create', admin, '--name', 'x', '--expires', 'soon')).err,
      /not a duration/,
    );
    assert.match((await cli(dir, 'token', 'revoke', '999')).err, /not found/);
  });
});
