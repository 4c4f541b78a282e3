import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cli } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { inbox, queueSettled, send, session, startSmtpServer } from './smtp-fixture.js';

// The server remembers resolved recipients and the scripts deliveries run (exactly: see
// store/change-version.ts). Each change here, made through the server's own directory or by the
// CLI on a connection of its own, must be seen by the very next message.
let s: TestServer;
before(async () => {
  s = await startSmtpServer();
});
after(async () => s.close());

async function mail(to: string, subject: string): Promise<string> {
  const { c } = await session(s);
  try {
    return await send(c, 'someone@elsewhere.example', [to], `Subject: ${subject}\r\n\r\nbody\r\n`);
  } finally {
    c.close();
  }
}

async function rcpt(to: string): Promise<string> {
  const { c } = await session(s);
  try {
    await c.cmd('MAIL FROM:<someone@elsewhere.example>');
    return await c.cmd(`RCPT TO:<${to}>`);
  } finally {
    c.close();
  }
}

const subjects = async (address: string) =>
  (await inbox(s, address)).map((m) => /Subject: (.*)\r\n/.exec(m)?.[1]);

async function run(...args: string[]): Promise<void> {
  const r = await cli(s.dir, ...args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
}

test('an account disabled, re-enabled or forwarded by the CLI: the next message sees it', async () => {
  assert.match(await mail('bob@example.test', 'first'), /^250 /);
  await run('user', 'disable', 'bob@example.test');
  assert.match(await rcpt('bob@example.test'), /^550 5\.2\.1 .*disabled/);
  await run('user', 'enable', 'bob@example.test');
  assert.match(await rcpt('bob@example.test'), /^250 /);
  await run('user', 'set', 'bob@example.test', '--forward', 'carol@example.test', '--keep-copy', 'no');
  assert.match(await mail('bob@example.test', 'forwarded'), /^250 /);
  await queueSettled(s);
  assert.ok((await subjects('carol@example.test')).includes('forwarded'));
  assert.ok(!(await subjects('bob@example.test')).includes('forwarded'));
  await run('user', 'set', 'bob@example.test', '--forward', 'none');
  assert.match(await mail('bob@example.test', 'kept again'), /^250 /);
  await queueSettled(s);
  assert.ok((await subjects('bob@example.test')).includes('kept again'));
});

test('a change through the server’s directory: the next message sees it', async () => {
  await s.app.directory.addAlias({ address: 'desk@example.test', members: ['alice@example.test'] });
  assert.match(await mail('desk@example.test', 'to alice'), /^250 /);
  await s.app.directory.addAliasMembers('desk@example.test', ['carol@example.test']);
  await s.app.directory.removeAliasMembers('desk@example.test', ['alice@example.test']);
  assert.match(await mail('desk@example.test', 'to carol'), /^250 /);
  await queueSettled(s);
  assert.ok((await subjects('alice@example.test')).includes('to alice'));
  assert.ok(!(await subjects('alice@example.test')).includes('to carol'));
  assert.ok((await subjects('carol@example.test')).includes('to carol'));
  await s.app.directory.removeAlias('desk@example.test');
  assert.match(await rcpt('desk@example.test'), /^550 5\.1\.1 /);
  await s.app.directory.setEnabled('alice@example.test', false);
  assert.match(await rcpt('alice@example.test'), /^550 5\.2\.1 /);
  await s.app.directory.setEnabled('alice@example.test', true);
  assert.match(await rcpt('alice@example.test'), /^250 /);
});

test('a Sieve script stored and activated by the CLI filters the next message', async () => {
  assert.match(await mail('carol@example.test', 'before the script'), /^250 /);
  const file = join(s.dir, 'refuse.sieve');
  writeFileSync(file, 'require "reject";\nif header :contains "subject" "spam" { reject "not here"; }\n');
  await run('sieve', 'put', 'carol@example.test', 'refuse', file);
  await run('sieve', 'activate', 'carol@example.test', 'refuse');
  assert.match(await mail('carol@example.test', 'spam offer'), /^550 5\.7\.1 .*not here/);
  await run('sieve', 'activate', 'carol@example.test', '--none');
  assert.match(await mail('carol@example.test', 'spam offer again'), /^250 /);
});
