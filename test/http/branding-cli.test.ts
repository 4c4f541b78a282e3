import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initDataDir } from '../../src/cli/init.js';
import { cli } from '../support/cli.js';
import { gifImage, pngImage } from '../support/images.js';
import { tempDir } from '../support/tmp.js';

describe('mailstead branding', () => {
  const { dir, cleanup } = tempDir();
  before(async () => {
    await initDataDir(dir, { hostname: 'mail.example.test' });
    writeFileSync(join(dir, 'logo.gif'), gifImage(200, 40));
    writeFileSync(join(dir, 'huge.png'), pngImage(800, 100));
    writeFileSync(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  });
  after(() => cleanup());

  test('set, logo and show go through the same service as the API; show --host merges the scopes', async () => {
    const set = await cli(dir, 'branding', 'set', '-', '--name', 'Hosting', '--accent', '#1F5FBF');
    assert.equal(set.code, 0, set.err);
    assert.equal((await cli(dir, 'branding', 'set', 'example.test', '--header', '#16325c')).code, 0);
    const logo = await cli(dir, 'branding', 'logo', 'mail.example.test', join(dir, 'logo.gif'));
    assert.equal(logo.out, `logo of mail.example.test: 200x40 image/gif, ${gifImage(200, 40).length} bytes`);
    const shown = await cli(dir, '--json', 'branding', 'show', '--host', 'mail.example.test');
    const e = JSON.parse(shown.out);
    assert.deepEqual([e.productName, e.accent, e.header], ['Hosting', '#1f5fbf', '#16325c']);
    assert.match(e.logo, /^200x40 \/admin\/brand\/logo\/mail\.example\.test\?v=/);
    const other = JSON.parse((await cli(dir, '--json', 'branding', 'show', '--host', 'www.other.test')).out);
    assert.deepEqual([other.header, other.logo], [null, null]);
    const list = await cli(dir, 'branding', 'list');
    assert.match(list.out, /^-\s+Hosting\s+#1f5fbf/m);
    assert.match(list.out, /^mail\.example\.test .*200x40 image\/gif/m);
    assert.equal((await cli(dir, 'branding', 'set', '-', '--name', 'none')).code, 0);
    assert.equal(JSON.parse((await cli(dir, '--json', 'branding', 'show', '-')).out).productName, null);
    assert.equal((await cli(dir, 'branding', 'logo', 'mail.example.test', '--remove')).code, 0);
    assert.equal((await cli(dir, 'branding', 'remove', 'example.test')).code, 0);
  });

  test('mistakes are one-line operator errors naming the problem', async () => {
    const huge = await cli(dir, 'branding', 'logo', '-', join(dir, 'huge.png'));
    assert.notEqual(huge.code, 0);
    assert.match(huge.err, /800×100 pixels; at most 400×50/);
    assert.match(
      (await cli(dir, 'branding', 'logo', '-', join(dir, 'logo.svg'))).err,
      /SVG logos are not accepted/,
    );
    assert.match((await cli(dir, 'branding', 'logo', '-', join(dir, 'missing.png'))).err, /cannot read/);
    assert.match((await cli(dir, 'branding', 'set', '-', '--accent', 'blue')).err, /"blue" is not a colour/);
    assert.match((await cli(dir, 'branding', 'set', '-')).err, /nothing to set/);
    assert.match((await cli(dir, 'branding', 'set', 'localhost', '--name', 'x')).err, /not a branding scope/);
    assert.match((await cli(dir, 'branding', 'remove', 'nothing.test')).err, /has no branding/);
    assert.equal((await cli(dir, 'branding', 'remove', 'nothing.test')).err.split('\n').length, 1);
  });
});
