import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SmtpWire } from '../smtp/smtp-client.js';
import { TestDnsServer } from '../support/dns-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { SinkMta, type SunkMessage } from '../support/sink-mta.js';

async function send(port: number, mailFrom: string, rcpts: string[], body: string): Promise<void> {
  const c = await SmtpWire.open(port);
  await c.reply();
  assert.match(await c.cmd('EHLO client.test'), /^250/);
  assert.match(await c.cmd(`MAIL FROM:${mailFrom}`), /^250/);
  for (const r of rcpts) assert.match(await c.cmd(`RCPT TO:${r}`), /^250/, r);
  assert.match(await c.cmd('DATA'), /^354/);
  assert.match(await c.cmd(`${body.replace(/\n/g, '\r\n')}\r\n.`), /^250 /);
  await c.cmd('QUIT');
}

describe('bounces and delivery status notifications (RFC 3461/3464)', () => {
  const dns = new TestDnsServer();
  const sink = new SinkMta();
  let server: TestServer;

  const dsnsTo = (to: string): SunkMessage[] =>
    sink.messages.filter((m) => m.from === '' && m.to.includes(to));
  async function waitForDsn(to: string, n = 1, timeoutMs = 15_000): Promise<SunkMessage[]> {
    const end = Date.now() + timeoutMs;
    while (dsnsTo(to).length < n) {
      if (Date.now() > end)
        throw new Error(
          `no DSN to ${to}; sink has ${sink.messages.map((m) => `${m.from}->${m.to.join(',')}`).join(' ')}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
    return dsnsTo(to);
  }

  before(async () => {
    await dns.start();
    await sink.start();
    for (const d of ['sink.test', 'back.test'])
      dns
        .add(d, { type: 'MX', exchange: `mx.${d}`, priority: 10 })
        .add(`mx.${d}`, { type: 'A', address: '127.0.0.1' });
    dns.add('dead.test', { type: 'A', address: '127.0.0.1' });
    server = await startTestServer({
      'dns.servers': dns.address,
      'smtp.routes': `sink.test::${sink.port}, back.test::${sink.port}, dead.test::1`,
      'smtp.trusted_networks': '127.0.0.1/32',
      'queue.minimal_backoff_time': '1s',
      'queue.maximal_backoff_time': '1s',
      'queue.dead_destination_time': '1s',
      'bounce.postmaster': 'pm@back.test',
    });
    sink.answer = (rcpt) =>
      rcpt.startsWith('nobody') || rcpt.startsWith('pm-gone')
        ? { code: 550, text: '5.1.1 no such user' }
        : null;
  });
  beforeEach(() => sink.messages.splice(0));
  after(async () => {
    await server.close();
    await sink.stop();
    await dns.stop();
  });

  test('a 5xx is bounced to the sender at once: multipart/report with ENVID, ORCPT and the original', async () => {
    await send(
      server.port('smtp'),
      '<s1@back.test> ENVID=env-1 RET=FULL',
      ['<nobody@sink.test> ORCPT=rfc822;Nobody@sink.test'],
      'From: s1@back.test\nSubject: doomed\n\nsecret body',
    );
    const [dsn] = await waitForDsn('s1@back.test');
    const text = dsn!.data.toString();
    assert.match(text, /^Content-Type: multipart\/report; report-type=delivery-status;/m);
    assert.match(text, /^From: Mail Delivery System <MAILER-DAEMON@mail\.example\.test>/m);
    assert.match(text, /^Original-Envelope-Id: env-1\r$/m);
    assert.match(text, /^Original-Recipient: rfc822;Nobody@sink\.test\r$/m);
    assert.match(
      text,
      /^Final-Recipient: rfc822; nobody@sink\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.sink\.test\r$/m,
    );
    assert.match(text, /^Content-Type: message\/rfc822\r$/m);
    assert.match(text, /secret body/);
  });

  test('RET=HDRS returns only the headers; NOTIFY=NEVER returns nothing; NOTIFY=SUCCESS reports delivery', async () => {
    await send(
      server.port('smtp'),
      '<s2@back.test> RET=HDRS',
      ['<nobody@sink.test>'],
      'From: s2@back.test\nSubject: hdrs\n\nsecret body',
    );
    const [dsn] = await waitForDsn('s2@back.test');
    assert.match(dsn!.data.toString(), /^Content-Type: text\/rfc822-headers\r$/m);
    assert.doesNotMatch(dsn!.data.toString(), /secret body/);

    await send(
      server.port('smtp'),
      '<s3@back.test>',
      ['<nobody@sink.test> NOTIFY=NEVER', '<ok@sink.test> NOTIFY=SUCCESS'],
      'Subject: n\n\nb',
    );
    const [ok] = await waitForDsn('s3@back.test');
    assert.match(ok!.data.toString(), /^Action: delivered\r\nStatus: 2\.0\.0\r$/m);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(dsnsTo('s3@back.test').length, 1, 'no failure report for NOTIFY=NEVER');
  });

  test('no bounce for the null sender: its failure is a double bounce to the postmaster, whose failure is dropped', async () => {
    await send(server.port('smtp'), '<>', ['<nobody@sink.test>'], 'Subject: bounce of something\n\nb');
    const [db] = await waitForDsn('pm@back.test');
    assert.match(db!.data.toString(), /^Final-Recipient: rfc822; nobody@sink\.test\r$/m);

    await server.app.config.set('bounce.postmaster', 'pm-gone@back.test');
    try {
      const before = sink.messages.length;
      await send(server.port('smtp'), '<>', ['<nobody@sink.test>'], 'Subject: another\n\nb');
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(sink.messages.length, before, 'the failed double bounce is dropped, not looped');
    } finally {
      await server.app.config.set('bounce.postmaster', 'pm@back.test');
    }
  });

  test('delay warning after queue.delay_warning_time, then a failure when the lifetime runs out', async () => {
    await server.app.config.set('queue.delay_warning_time', '1s');
    await server.app.config.set('queue.maximal_queue_lifetime', '4s');
    try {
      await send(server.port('smtp'), '<s4@back.test>', ['<x@dead.test>'], 'Subject: slow\n\nb');
      const [warn] = await waitForDsn('s4@back.test', 1, 20_000);
      assert.match(warn!.data.toString(), /^Action: delayed\r\nStatus: 4\./m);
      assert.match(warn!.data.toString(), /^Will-Retry-Until: /m);
      const all = await waitForDsn('s4@back.test', 2, 20_000);
      assert.match(all[1]!.data.toString(), /^Action: failed\r$/m);
      assert.match(all[1]!.data.toString(), /gave up after queue\.maximal_queue_lifetime/);
    } finally {
      await server.app.config.set('queue.delay_warning_time', '0');
      await server.app.config.set('queue.maximal_queue_lifetime', '5d');
    }
  });
});
