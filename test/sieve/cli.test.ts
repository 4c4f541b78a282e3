import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initDataDir } from '../../src/cli/init.js';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('mailstead rules and mailstead sieve', () => {
  const { dir, cleanup } = tempDir();
  const U = 'hank@example.test';
  before(async () => {
    await initDataDir(dir, { hostname: 'mail.example.test' });
    await cli(dir, 'domain', 'add', 'example.test');
    assert.equal((await cli(dir, 'user', 'add', U, '--password', 'pw-hank-123456')).code, 0);
  });
  after(cleanup);

  test('rules add, list, move, disable, remove; the generated script is active', async () => {
    let r = await cli(
      dir,
      'rules',
      'add',
      U,
      '--name',
      'Invoices',
      '--if',
      'subject contains invoice no.',
      '--if',
      'from contains @supplier.example',
      '--fileinto',
      'Invoices',
      '--stop',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `added rule 1 for ${U}`);
    r = await cli(
      dir,
      'rules',
      'add',
      U,
      '--name',
      'SMS',
      '--if',
      'header X-Priority is 1',
      '--redirect',
      '4917012345@sms.example.net',
      '--copy',
      '--position',
      '1',
    );
    assert.equal(r.code, 0, r.err);
    r = await cli(dir, 'rules', 'list', U);
    assert.match(r.out, /^POS\s+ID\s+ON\s+NAME/);
    assert.match(
      r.out,
      /1\s+2\s+yes\s+SMS\s+header X-Priority is "1"\s+redirect 4917012345@sms.example.net \(copy\)/,
    );
    assert.match(
      r.out,
      /2\s+1\s+yes\s+Invoices\s+subject contains "invoice no."; from contains "@supplier.example"\s+fileinto Invoices; stop/,
    );
    assert.equal((await cli(dir, 'rules', 'move', U, '1', '1')).code, 0);
    assert.equal((await cli(dir, 'rules', 'disable', U, '2')).code, 0);
    r = await cli(dir, 'rules', 'list', U, '--json');
    assert.deepEqual(
      (JSON.parse(r.out) as { id: string; on: string }[]).map((x) => [x.id, x.on]),
      [
        ['1', 'yes'],
        ['2', 'no'],
      ],
    );
    r = await cli(dir, 'sieve', 'list', U);
    assert.match(r.out, /mailstead-rules\s+yes/);
    r = await cli(dir, 'sieve', 'get', U, 'mailstead-rules');
    assert.match(r.out, /if allof \(header :contains "Subject" "invoice no\."/);
    assert.equal((await cli(dir, 'rules', 'remove', U, '2')).code, 0);
    r = await cli(dir, 'rules', 'remove', U, '9');
    assert.equal(r.code, 1);
    assert.match(r.err, /there is no rule 9/);
    r = await cli(dir, 'rules', 'add', U, '--if', 'subject frobs x', '--keep');
    assert.match(r.err, /the test is one of/);
  });

  test('rules vacation sets dates, subject and text', async () => {
    const r = await cli(
      dir,
      'rules',
      'vacation',
      U,
      '--on',
      '--subject',
      'Away',
      '--text',
      'Back in August.',
      '--from',
      '2025-07-01',
      '--until',
      '2025-07-31',
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), {
      enabled: true,
      subject: 'Away',
      text: 'Back in August.',
      addresses: [],
      days: 7,
      from: '2025-07-01',
      until: '2025-07-31',
    });
    assert.match(
      (await cli(dir, 'sieve', 'get', U, 'mailstead-rules')).out,
      /currentdate :value "ge" "date" "2025-07-01"/,
    );
    assert.match((await cli(dir, 'rules', 'vacation', U, '--from', 'July')).err, /not a date/);
  });

  test('sieve put, check, activate, delete, and global scripts', async () => {
    const good = join(dir, 'good.sieve');
    const bad = join(dir, 'bad.sieve');
    writeFileSync(good, 'require "fileinto";\nfileinto "Archive";\n');
    writeFileSync(bad, 'keep;\nfileinto "x";\n');
    assert.equal((await cli(dir, 'sieve', 'put', U, 'mine', good)).code, 0);
    let r = await cli(dir, 'sieve', 'put', U, 'broken', bad);
    assert.equal(r.code, 1);
    assert.match(r.err, /broken: line 2, column 1/);
    assert.match((await cli(dir, 'sieve', 'check', U, bad)).err, /line 2, column 1/);
    assert.equal((await cli(dir, 'sieve', 'check', U, good)).out, 'the script is valid');
    assert.equal((await cli(dir, 'sieve', 'activate', U, 'mine')).code, 0);
    assert.match((await cli(dir, 'sieve', 'delete', U, 'mine')).err, /active script/);
    assert.equal((await cli(dir, 'sieve', 'activate', U, '--none')).code, 0);
    assert.equal((await cli(dir, 'sieve', 'delete', U, 'mine')).code, 0);
    r = await cli(dir, 'sieve', 'global', 'put', '--domain', 'example.test', '--before', good);
    assert.equal(r.code, 0, r.err);
    assert.equal((await cli(dir, 'sieve', 'global', 'put', '--server', '--after', good)).code, 0);
    assert.match(
      (await cli(dir, 'sieve', 'global', 'put', '--domain', 'nope.test', '--after', good)).err,
      /not a local domain/,
    );
    r = await cli(dir, 'sieve', 'global', 'list');
    assert.match(r.out, /\(server\)\s+after/);
    assert.match(r.out, /example.test\s+before/);
    assert.equal((await cli(dir, 'sieve', 'global', 'remove', '--server', '--after')).code, 0);
    assert.match(
      (await cli(dir, 'sieve', 'global', 'get', '--server', '--after')).err,
      /not found|global after/,
    );
  });
});
