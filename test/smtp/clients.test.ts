import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { TestServer } from '../support/server.js';
import { PASSWORD, inbox, queueSettled, startSmtpServer } from './smtp-fixture.js';

const run = promisify(execFile);
let s: TestServer;
before(async () => {
  s = await startSmtpServer();
});
after(async () => s.close());

const PY = `
import smtplib, ssl, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', port) as c:
    c.ehlo('py.example.org'); c.starttls(context=ctx); c.ehlo('py.example.org'); c.login(user, pw)
    refused = c.sendmail(user, ['alice@example.test'], 'Subject: from smtplib\\r\\n\\r\\nhello\\r\\n')
    print('refused', refused)
    try:
        c.sendmail(user, ['ghost@example.test'], 'Subject: x\\r\\n\\r\\nx\\r\\n')
    except smtplib.SMTPRecipientsRefused as e:
        print('ghost', e.recipients['ghost@example.test'][0])
`;

test("Python's smtplib: STARTTLS, AUTH, send; a refused recipient raises", async () => {
  const { stdout } = await run('python3', [
    '-c',
    PY,
    String(s.port('submission')),
    'bob@example.test',
    PASSWORD,
  ]);
  assert.match(stdout, /refused \{\}/);
  assert.match(stdout, /ghost 550/);
  await queueSettled(s);
  assert.ok((await inbox(s, 'alice@example.test')).some((m) => m.includes('from smtplib')));
});

test('swaks: implicit TLS submission with AUTH LOGIN', async () => {
  const { stdout } = await run('swaks', [
    '--server',
    '127.0.0.1',
    '--port',
    String(s.port('submissions')),
    '--tlsc',
    '--auth',
    'LOGIN',
    '--auth-user',
    'carol@example.test',
    '--auth-password',
    PASSWORD,
    '--from',
    'carol@example.test',
    '--to',
    'bob@example.test',
    '--header',
    'Subject: from swaks',
  ]);
  assert.match(stdout, /<~ {2}250 2\.0\.0 Ok: queued as [0-9A-Z]+/);
  await queueSettled(s);
  assert.ok((await inbox(s, 'bob@example.test')).some((m) => m.includes('from swaks')));
});

test('swaks: the MX refuses relaying for strangers', async () => {
  const r = await run('swaks', [
    '--server',
    '127.0.0.1',
    '--port',
    String(s.port('smtp')),
    '--from',
    'x@example.org',
    '--to',
    'y@elsewhere.example.org',
  ]).catch((e: { stdout: string }) => e);
  assert.match(r.stdout, /<\*\* 554 5\.7\.1 <y@elsewhere\.example\.org>: Relay access denied/);
});

test("Postfix's smtp-source: 200 messages over 10 sessions all arrive", async () => {
  const before = (await inbox(s, 'carol@example.test')).length;
  await run('smtp-source', [
    '-s',
    '10',
    '-m',
    '200',
    '-l',
    '2048',
    '-f',
    'load@example.org',
    '-t',
    'carol@example.test',
    `127.0.0.1:${s.port('smtp')}`,
  ]);
  await queueSettled(s, ['queued'], 30_000);
  const left = (await s.app.queue.admin.list({ recipient: 'carol@example.test' })).filter(
    (m) => m.state !== 'delivered',
  );
  assert.deepEqual(
    left.map((m) => `${m.state}: ${m.lastReply}`),
    [],
    'no message stays in the queue (deferred or held)',
  );
  assert.equal((await inbox(s, 'carol@example.test')).length - before, 200);
});
