import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from '../support/server.js';
import { readFileSync } from 'node:fs';
import { SmtpWire } from './smtp-client.js';
import { login, queueSettled, send, session, startSmtpServer, inbox, waitFor } from './smtp-fixture.js';

let s: TestServer;
before(async () => {
  s = await startSmtpServer({ 'smtp.default_domain': 'example.test' });
});
after(async () => s.close());

test('MX listener: ESMTP extensions, no AUTH before STARTTLS, AUTH after it', async () => {
  const { c, ehlo } = await session(s);
  for (const ext of [
    'PIPELINING',
    '8BITMIME',
    'SMTPUTF8',
    'ENHANCEDSTATUSCODES',
    'DSN',
    'STARTTLS',
    'SIZE 26214400',
  ])
    assert.match(ehlo, new RegExp(`250[- ]${ext}`));
  assert.doesNotMatch(ehlo, /AUTH/);
  assert.match(await c.cmd('AUTH PLAIN AGJvYgBwdw=='), /^5\d\d /);
  assert.match(await c.starttls(), /^220 /);
  const after = await c.cmd('EHLO client.example.org');
  assert.match(after, /250[- ]AUTH PLAIN LOGIN/);
  assert.doesNotMatch(after, /STARTTLS/);
  c.close();
});

test('MX listener accepts mail for a local account without AUTH and delivers it with trace headers', async () => {
  const { c } = await session(s);
  const r = await send(
    c,
    'sender@example.org',
    ['bob@example.test'],
    'Subject: hello bob\r\nMessage-ID: <m1@example.org>\r\n\r\nHi Bob\r\n',
  );
  assert.match(r, /^250 2\.0\.0 Ok: queued as [0-9A-Z]{15}$/);
  c.close();
  await queueSettled(s);
  const msgs = await inbox(s, 'bob@example.test');
  const m = msgs.find((x) => x.includes('hello bob'));
  assert.ok(m);
  assert.match(
    m,
    /^Return-Path: <sender@example.org>\r\nDelivered-To: bob@example.test\r\nReceived: from client\.example\.org \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.test \(Mailstead\) with ESMTP id /,
  );
  assert.match(m, /for <bob@example\.test>; /);
});

test('submission: AUTH required, only after STARTTLS; senders limited to their own addresses', async () => {
  const { c, ehlo } = await session(s, 'submission');
  assert.doesNotMatch(ehlo, /AUTH/);
  assert.equal(await c.cmd('MAIL FROM:<bob@example.test>'), '530 5.7.0 Must issue a STARTTLS command first');
  await c.starttls();
  await c.cmd('EHLO client.example.org');
  assert.equal(await c.cmd('MAIL FROM:<bob@example.test>'), '530 5.7.0 Authentication required');
  assert.match(await login(c, 'bob@example.test', 'wrong-password', false), /^535 5\.7\.8 /);
  assert.match(await login(c, 'bob@example.test', undefined, false), /^235 2\.7\.0 /);
  assert.equal(
    await c.cmd('MAIL FROM:<alice@example.test>'),
    '553 5.7.1 <alice@example.test>: Sender address rejected: not owned by user bob@example.test',
  );
  assert.match(await c.cmd('MAIL FROM:<bob>'), /^250 2\.1\.0/, 'a bare name gets the default domain');
  assert.match(
    await c.cmd('RCPT TO:<someone@remote.example.org>'),
    /^250 2\.1\.5/,
    'authenticated users may relay',
  );
  assert.match(await c.cmd('RCPT TO:<alice>'), /^250 2\.1\.5/);
  assert.match(await c.cmd('DATA'), /^354/);
  const r = await c.cmd('Subject: from bob\r\n\r\nhi\r\n.');
  assert.match(r, /^250 2\.0\.0 Ok: queued as /);
  c.close();
  await queueSettled(s);
  const m = (await inbox(s, 'alice@example.test')).find((x) => x.includes('from bob'));
  assert.ok(m);
  assert.match(
    m,
    /with ESMTPSA id [0-9A-Z]+\r\n\t\(using TLSv1\.[23] with cipher [A-Z0-9_-]+\)\r\n\t\(authenticated as bob@example\.test\)/,
  );
  // The remote recipient went to remote delivery (whatever its outcome in this sandbox).
  const log = await waitFor(() =>
    readFileSync(s.app.config.path('log.delivery_file'), 'utf8')
      .split('\n')
      .find((l) => l.includes('someone@remote.example.org')),
  );
  assert.equal(JSON.parse(log).kind, 'remote');
});

test('submissions: implicit TLS, AUTH offered at once and required', async () => {
  const { c, ehlo } = await session(s, 'submissions', { tls: true });
  assert.match(ehlo, /AUTH PLAIN LOGIN/);
  assert.doesNotMatch(ehlo, /STARTTLS/);
  assert.equal(await c.cmd('MAIL FROM:<carol@example.test>'), '530 5.7.0 Authentication required');
  assert.match(await login(c, 'carol@example.test', undefined, false), /^235 /);
  assert.match(await send(c, 'carol@example.test', ['bob@example.test']), /^250 2\.0\.0 Ok: queued as /);
  c.close();
});

test('auth mode none hides AUTH even after TLS', async () => {
  await s.app.config.set('smtp.auth_mode.smtp', 'none');
  try {
    const { c } = await session(s);
    await c.starttls();
    assert.doesNotMatch(await c.cmd('EHLO client.example.org'), /AUTH/);
    c.close();
  } finally {
    s.app.config.unset('smtp.auth_mode.smtp');
  }
});

test('PIPELINING: a whole pipelined transaction gets one reply per command in order', async () => {
  const c = await SmtpWire.open(s.port('smtp'));
  await c.reply();
  c.write(
    'EHLO pipe.example.org\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<nobody@example.test>\r\nDATA\r\n',
  );
  assert.match(await c.reply(), /^250-/);
  assert.match(await c.reply(), /^250 2\.1\.0/);
  assert.match(await c.reply(), /^250 2\.1\.5/);
  assert.match(await c.reply(), /^550 5\.1\.1 /);
  assert.match(await c.reply(), /^354/);
  c.write('Subject: piped\r\n\r\nx\r\n.\r\nQUIT\r\n');
  assert.match(await c.reply(), /^250 2\.0\.0 Ok: queued as /);
  assert.match(await c.reply(), /^221/);
  c.close();
});
