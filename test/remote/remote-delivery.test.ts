import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { dnsRecord } from '../../src/dkim/dkim-service.js';
import { SmtpWire } from '../smtp/smtp-client.js';
import { TestDnsServer } from '../support/dns-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { SinkMta } from '../support/sink-mta.js';

const VERIFIER = fileURLToPath(new URL('../../../test/dkim/dkimpy-verify.py', import.meta.url));

async function send(port: number, from: string, to: string[], body: string): Promise<string> {
  const c = await SmtpWire.open(port);
  await c.reply();
  assert.match(await c.cmd('EHLO client.test'), /^250/);
  assert.match(await c.cmd(`MAIL FROM:<${from}>`), /^250/);
  for (const r of to) assert.match(await c.cmd(`RCPT TO:<${r}>`), /^250/, r);
  assert.match(await c.cmd('DATA'), /^354/);
  const final = await c.cmd(`${body.replace(/\n/g, '\r\n')}\r\n.`);
  await c.cmd('QUIT');
  return final;
}

async function waitForState(
  server: TestServer,
  recipient: string,
  state: string,
  timeoutMs = 15_000,
): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = await server.app.store.db.all<{ state: string; last_reply: string | null }>(
      'SELECT state, last_reply FROM queue_recipients WHERE recipient = ?',
      [recipient],
    );
    if (rows.some((r) => r.state === state)) return rows.find((r) => r.state === state)!.last_reply ?? '';
    if (Date.now() > end)
      throw new Error(
        `${recipient} is ${rows.map((r) => `${r.state} (${r.last_reply})`).join(', ') || 'not queued'}, not ${state}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('remote delivery through MX found in DNS on loopback', () => {
  const dns = new TestDnsServer();
  const sink = new SinkMta();
  let server: TestServer;
  let txt: string;

  before(async () => {
    await dns.start();
    await sink.start();
    dns
      .add('sink.test', { type: 'MX', exchange: 'mx.sink.test', priority: 10 })
      .add('mx.sink.test', { type: 'A', address: '127.0.0.1' })
      .add('null.test', { type: 'MX', exchange: '', priority: 0 })
      .add('dead.test', { type: 'MX', exchange: 'mx.dead.test', priority: 10 })
      .add('mx.dead.test', { type: 'A', address: '127.0.0.1' });
    server = await startTestServer({
      'dns.servers': dns.address,
      // MX routing for sink.test, on the sink's port; dead.test points at a closed port.
      'smtp.routes': `sink.test::${sink.port}, dead.test::1`,
      'smtp.trusted_networks': '127.0.0.1/32',
      'queue.minimal_backoff_time': '1s',
      'queue.maximal_backoff_time': '2s',
      'auth.allow_plaintext': 'true',
    });
    await server.app.directory.addDomain({ name: 'local.test' });
    await server.app.directory.addAccount({ address: 'carol@local.test', password: 'a-long-password-1' });
    const key = await server.app.dkim.generate('local.test', { selector: 'k1' });
    txt = dnsRecord(key).value;
  });
  after(async () => {
    await server.close();
    await sink.stop();
    await dns.stop();
  });

  test('relayed mail reaches the MX, DKIM-signed so that dkimpy verifies it', async () => {
    const reply = await send(
      server.port('smtp'),
      'alice@local.test',
      ['bob@sink.test'],
      'From: alice@local.test\nTo: bob@sink.test\nSubject: out\n\nHello remote.',
    );
    assert.match(reply, /^250 /);
    await sink.waitFor(1);
    const m = sink.messages[0]!;
    assert.equal(m.from, 'alice@local.test');
    assert.deepEqual(m.to, ['bob@sink.test']);
    assert.match(m.data.toString(), /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=local\.test;/);
    assert.match(m.data.toString(), /^Received: from client\.test/m);
    const v = spawnSync('/usr/bin/python3', [VERIFIER], {
      input: m.data,
      env: { ...process.env, DKIM_TXT: txt },
    });
    assert.equal(v.stdout.toString().trim(), 'pass', v.stderr.toString());
    // Delivered recipients leave the queue; the delivery log keeps the attempt with the MX's reply.
    // The sink has the message before the server has read the MX's reply: wait for the line.
    const logged = () =>
      readFileSync(server.app.config.path('log.delivery_file'), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { recipient: string; result: string; kind: string; reply: string })
        .find((l) => l.recipient === 'bob@sink.test');
    const end = Date.now() + 15_000;
    while (!logged() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const rec = logged();
    assert.equal(rec?.result, 'success');
    assert.equal(rec?.kind, 'remote');
    assert.match(rec?.reply ?? '', /^mx\.sink\.test\[127\.0\.0\.1\]:\d+ said: 250 /);
  });

  test('a 5xx from the MX bounces at once; a 4xx defers', async () => {
    sink.answer = (rcpt) =>
      rcpt.startsWith('nobody')
        ? { code: 550, text: '5.1.1 no such user' }
        : rcpt.startsWith('later')
          ? { code: 451, text: '4.3.0 try later' }
          : null;
    try {
      await send(
        server.port('smtp'),
        'alice@local.test',
        ['nobody@sink.test', 'later@sink.test'],
        'Subject: x\n\nbody',
      );
      assert.match(await waitForState(server, 'nobody@sink.test', 'bounced'), /550 5\.1\.1 no such user/);
      assert.match(await waitForState(server, 'later@sink.test', 'deferred'), /451 4\.3\.0 try later/);
    } finally {
      sink.answer = () => null;
    }
  });

  test('null MX bounces without a connection; a dead MX defers', async () => {
    await send(server.port('smtp'), 'alice@local.test', ['x@null.test', 'y@dead.test'], 'Subject: y\n\nbody');
    assert.match(await waitForState(server, 'x@null.test', 'bounced'), /^556 5\.1\.10 /);
    assert.match(await waitForState(server, 'y@dead.test', 'deferred'), /./);
  });

  test('mail from an authenticated user gets its personal and domain disclaimers in text and HTML, then a DKIM signature over them', async () => {
    const dir = join(server.dir, 'disclaimers');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'local.test.txt'), 'Local Test Ltd. - confidential.\n');
    writeFileSync(join(dir, 'carol@local.test.txt'), 'Carol Jones\nSales');
    writeFileSync(join(dir, 'carol@local.test.html'), '<p><b>Carol Jones</b>, Sales</p>');
    server.app.config.set('disclaimer.text', 'Global text that local.test replaces.');
    try {
      const c = await SmtpWire.open(server.port('submission'));
      await c.reply();
      await c.cmd('EHLO client.test');
      const pass = Buffer.from('\0carol@local.test\0a-long-password-1').toString('base64');
      assert.match(await c.cmd(`AUTH PLAIN ${pass}`), /^235/);
      assert.match(await c.cmd('MAIL FROM:<carol@local.test>'), /^250/);
      assert.match(await c.cmd('RCPT TO:<dan@sink.test>'), /^250/);
      assert.match(await c.cmd('DATA'), /^354/);
      const body =
        'From: carol@local.test\nTo: dan@sink.test\nSubject: with disclaimer\nMIME-Version: 1.0\n' +
        'Content-Type: multipart/alternative; boundary="alt"\n\n--alt\nContent-Type: text/plain; charset=utf-8\n\n' +
        'Hi Dan.\n--alt\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Hi Dan.</p></body></html>\n--alt--\n';
      assert.match(await c.cmd(`${body.replace(/\n/g, '\r\n')}.`), /^250 /);
      await c.cmd('QUIT');
      // Earlier tests' deferred mail may arrive meanwhile: look for this message by its recipient.
      const end = Date.now() + 15_000;
      while (!sink.messages.some((x) => x.to.includes('dan@sink.test')) && Date.now() < end)
        await new Promise((r) => setTimeout(r, 50));
      const m = sink.messages.find((x) => x.to.includes('dan@sink.test'))!;
      const parsed = await simpleParser(m.data);
      assert.equal(parsed.text, 'Hi Dan.\n\nCarol Jones\nSales\n\nLocal Test Ltd. - confidential.\n');
      assert.match(
        String(parsed.html),
        /<p>Hi Dan\.<\/p><p><b>Carol Jones<\/b>, Sales<\/p><p>Local Test Ltd\. - confidential\.<\/p>\r?\n<\/body>/,
      );
      const v = spawnSync('/usr/bin/python3', [VERIFIER], {
        input: m.data,
        env: { ...process.env, DKIM_TXT: txt },
      });
      assert.equal(v.stdout.toString().trim(), 'pass', v.stderr.toString());
    } finally {
      server.app.config.set('disclaimer.text', '');
    }
  });
});
