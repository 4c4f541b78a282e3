import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from '../support/server.js';
import type { SmtpWire } from './smtp-client.js';
import { inbox, login, send, session, startSmtpServer } from './smtp-fixture.js';

/*
 * "Send as" and "send on behalf" over submission: bob may send as shared@, alice only on its
 * behalf, dave on behalf of sales@ through his group, carol has no grant at all.
 */
let s: TestServer;

before(async () => {
  s = await startSmtpServer();
  const d = s.app.directory;
  await d.addAccount({ address: 'shared@example.test', password: 'pw-test-123456' });
  await d.addAlias({ address: 'sales@example.test', members: ['bob@example.test'] });
  await d.addGroup({ name: 'Staff', domain: 'example.test' });
  await d.addAccount({
    address: 'dave@example.test',
    password: 'pw-test-123456',
    groupId: (await d.getGroup('Staff')).id,
  });
  await d.grantSend('shared@example.test', 'bob@example.test', 'send-as');
  await d.grantSend('shared@example.test', 'alice@example.test', 'send-on-behalf');
  await d.grantSend('sales@example.test', '@Staff', 'send-on-behalf');
});
after(async () => s.close());

async function as(user: string): Promise<SmtpWire> {
  const { c } = await session(s, 'submission');
  assert.match(await login(c, `${user}@example.test`), /^235 /);
  return c;
}

const message = (headers: string, subject: string) =>
  `${headers}Subject: ${subject}\r\nTo: <carol@example.test>\r\n\r\nbody\r\n`;

/** Messages with this subject in the queue or already in carol's mailbox (delivered at once). */
async function acceptedWith(subject: string): Promise<number> {
  const queued = (await s.app.queue.admin.list({})).filter((m) => m.subject === subject).length;
  const stored = (await inbox(s, 'carol@example.test')).filter((m) => m.includes(`Subject: ${subject}\r\n`));
  return queued + stored.length;
}

/** Sends a message whose subject is unique; checks that a refusal leaves nothing queued or stored. */
async function attempt(c: SmtpWire, from: string, headers: string): Promise<string> {
  const subject = `grant-${Math.random().toString(36).slice(2)}`;
  const reply = await send(c, from, ['carol@example.test'], message(headers, subject));
  assert.equal(await acceptedWith(subject), reply.startsWith('250') ? 1 : 0, `accepted after "${reply}"`);
  if (!reply.startsWith('250')) assert.match(await c.cmd('RSET'), /^250 /, 'the session goes on');
  return reply;
}

test('send-as: the granted address in MAIL FROM and From:, no Sender: needed', async () => {
  const c = await as('bob');
  assert.match(
    await attempt(c, 'shared@example.test', 'From: Shared <shared@example.test>\r\n'),
    /^250 2\.0\.0 /,
  );
  assert.match(await attempt(c, 'bob@example.test', 'From: shared@example.test\r\n'), /^250 2\.0\.0 /);
  c.close();
});

test('send-on-behalf: Sender: must be the user, in either envelope shape; else 553 5.7.1', async () => {
  const c = await as('alice');
  assert.equal(
    await attempt(c, 'shared@example.test', 'From: shared@example.test\r\n'),
    '553 5.7.1 Sending on behalf of <shared@example.test> needs a "Sender: <alice@example.test>" header',
  );
  assert.match(
    await attempt(c, 'shared@example.test', 'From: shared@example.test\r\nSender: bob@example.test\r\n'),
    /^553 5\.7\.1 Sending on behalf of <shared@example\.test>/,
    'someone else as Sender:',
  );
  assert.match(
    await attempt(
      c,
      'shared@example.test',
      'From: shared@example.test\r\nSender: alice@example.test, bob@example.test\r\n',
    ),
    /^553 5\.7\.1 /,
    'a Sender: with two addresses',
  );
  assert.match(
    await attempt(
      c,
      'shared@example.test',
      'From: shared@example.test\r\nSender: Alice <alice@example.test>\r\n',
    ),
    /^250 2\.0\.0 /,
  );
  assert.match(
    await attempt(
      c,
      'shared@example.test',
      'From: shared@example.test\r\nSender: alice+lists@example.test\r\n',
    ),
    /^250 2\.0\.0 /,
    'a +detail form of the own address is the user',
  );
  // The delegate's own envelope with the mailbox as author: the header grant is what counts.
  assert.match(
    await attempt(c, 'alice@example.test', 'From: shared@example.test\r\n'),
    /^553 5\.7\.1 Sending on behalf of <shared@example\.test>/,
  );
  assert.match(
    await attempt(c, 'alice@example.test', 'From: shared@example.test\r\nSender: alice@example.test\r\n'),
    /^250 2\.0\.0 /,
  );
  c.close();
});

test('a group grant covers its members', async () => {
  const c = await as('dave');
  assert.match(await attempt(c, 'sales@example.test', 'From: sales@example.test\r\n'), /^553 5\.7\.1 /);
  assert.match(
    await attempt(c, 'sales@example.test', 'From: sales@example.test\r\nSender: dave@example.test\r\n'),
    /^250 2\.0\.0 /,
  );
  assert.match(await attempt(c, 'shared@example.test', 'From: shared@example.test\r\n'), /^553 5\.7\.1 /);
  c.close();
});

test('no grant: MAIL FROM and every From: address refused with 553 5.7.1', async () => {
  const c = await as('carol');
  assert.equal(
    await c.cmd('MAIL FROM:<shared@example.test>'),
    '553 5.7.1 <shared@example.test>: Sender address rejected: not owned by user carol@example.test',
  );
  assert.match(await c.cmd('RSET'), /^250 /);
  assert.equal(
    await attempt(c, 'carol@example.test', 'From: "Carol" <shared@example.test>\r\n'),
    '553 5.7.1 <shared@example.test>: From: header address rejected: not owned by user carol@example.test',
  );
  assert.match(
    await attempt(c, 'carol@example.test', 'From: carol@example.test, someone@elsewhere.example\r\n'),
    /^553 5\.7\.1 <someone@elsewhere\.example>: From: header/,
    'each author of a multi-author From: is checked',
  );
  assert.match(
    await attempt(c, 'carol@example.test', 'From: "shared@example.test" <carol@example.test>\r\n'),
    /^250 2\.0\.0 /,
    'a display name is not an address',
  );
  assert.match(await attempt(c, 'carol@example.test', ''), /^250 2\.0\.0 /, 'no From: header at all');
  s.app.config.set('smtp.check_from_header', 'false');
  try {
    assert.match(
      await attempt(c, 'carol@example.test', 'From: shared@example.test\r\n'),
      /^250 2\.0\.0 /,
      'with smtp.check_from_header off only the envelope counts',
    );
  } finally {
    s.app.config.unset('smtp.check_from_header');
  }
  c.close();
});

test('mail from outside (MX, no login) is not held to grants', async () => {
  const { c } = await session(s);
  assert.match(
    await attempt(c, 'someone@elsewhere.example', 'From: shared@example.test\r\n'),
    /^250 2\.0\.0 /,
  );
  c.close();
});
