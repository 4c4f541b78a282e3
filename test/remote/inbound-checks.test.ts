import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dnsRecord } from '../../src/dkim/dkim-service.js';
import { SmtpWire } from '../smtp/smtp-client.js';
import { TestDnsServer } from '../support/dns-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Sends one message; returns the final reply (to DATA's end, or the first refusal). */
async function send(port: number, from: string, to: string, body: string): Promise<string> {
  const c = await SmtpWire.open(port);
  await c.reply();
  await c.cmd('EHLO mx.sender.test');
  await c.cmd(`MAIL FROM:<${from}>`);
  const rcpt = await c.cmd(`RCPT TO:<${to}>`);
  if (!rcpt.startsWith('250')) return rcpt;
  await c.cmd('DATA');
  const r = await c.cmd(`${body.replace(/\n/g, '\r\n')}\r\n.`);
  await c.cmd('QUIT');
  return r;
}

describe('sender authenticity and DNSBL at end of DATA', () => {
  const dns = new TestDnsServer();
  let server: TestServer;
  let accountId: number;
  let signedBody: string;

  before(async () => {
    await dns.start();
    server = await startTestServer({ 'dns.servers': dns.address });
    await server.app.directory.addDomain({ name: 'here.test' });
    accountId = (
      await server.app.directory.addAccount({ address: 'you@here.test', password: 'a-long-password-1' })
    ).id;
    // good.test signs with a key published in DNS and permits 127.0.0.1; bank.test rejects forgeries.
    const key = await server.app.dkim.generate('good.test', { selector: 's1' });
    const rec = dnsRecord(key);
    dns
      .add(rec.name, { type: 'TXT', data: rec.value })
      .add('good.test', { type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' })
      .add('_dmarc.good.test', { type: 'TXT', data: 'v=DMARC1; p=reject' })
      .add('bank.test', { type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' })
      .add('_dmarc.bank.test', { type: 'TXT', data: 'v=DMARC1; p=reject' })
      .add('soft.test', { type: 'TXT', data: 'v=spf1 -all' })
      .add('_dmarc.soft.test', { type: 'TXT', data: 'v=DMARC1; p=quarantine' })
      .add('1.0.0.127.bl.test', { type: 'A', address: '127.0.0.2' }, { type: 'TXT', data: 'test listing' });
    signedBody = (
      await server.app.dkim.sign(
        Buffer.from(
          'From: a@good.test\r\nTo: you@here.test\r\nSubject: genuine\r\nMessage-ID: <1@good.test>\r\n\r\nHello.\r\n',
        ),
      )
    ).toString();
  });
  after(async () => {
    await server.close();
    await dns.stop();
  });

  let seen = 0;
  /** The next message delivered to the INBOX after the ones already looked at. */
  async function lastMessage(): Promise<string> {
    const end = Date.now() + 10_000;
    const actor = await server.app.mailbox.actorFor(accountId);
    for (;;) {
      const snap = await server.app.mailbox.folders.select(actor, 'INBOX');
      const uid = snap.uids[seen];
      if (uid !== undefined) {
        seen = snap.uids.length;
        return (
          await server.app.mailbox.messages.read(actor, 'INBOX', snap.uids[snap.uids.length - 1]!)
        ).toString();
      }
      if (Date.now() > end) throw new Error('nothing delivered');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('genuine mail is delivered with an Authentication-Results header recording the passes', async () => {
    assert.match(
      await send(server.port('smtp'), 'a@good.test', 'you@here.test', signedBody.replace(/\r\n/g, '\n')),
      /^250 /,
    );
    const msg = await lastMessage();
    assert.match(msg, /^Authentication-Results: mail\.example\.test;/m);
    assert.match(msg, /dkim=pass header\.i=@good\.test/);
    assert.match(msg, /spf=pass/);
    assert.match(msg, /dmarc=pass/);
  });

  test('a forged From: of a p=reject domain is refused with 550 5.7.1 and not stored', async () => {
    const r = await send(
      server.port('smtp'),
      'boss@bank.test',
      'you@here.test',
      'From: boss@bank.test\nTo: you@here.test\nSubject: pay\n\nNow.',
    );
    assert.equal(r, '550 5.7.1 Message rejected: it fails the DMARC policy of bank.test');
  });

  test('p=quarantine is marked for quarantine; enforce=none only records', async () => {
    assert.match(
      await send(server.port('smtp'), 'x@soft.test', 'you@here.test', 'From: x@soft.test\nSubject: q\n\nq'),
      /^250 /,
    );
    assert.match(await lastMessage(), /^X-Mailstead-Quarantine: DMARC policy of soft\.test/m);
    server.app.config.set('authenticity.dmarc_enforce', 'none');
    try {
      assert.match(
        await send(
          server.port('smtp'),
          'boss@bank.test',
          'you@here.test',
          'From: boss@bank.test\nSubject: r\n\nr',
        ),
        /^250 /,
      );
      assert.match(await lastMessage(), /dmarc=fail/);
    } finally {
      server.app.config.set('authenticity.dmarc_enforce', 'policy');
    }
  });

  test('a client listed in a DNSBL zone set to reject gets 554 5.7.1 with the reason', async () => {
    server.app.config.set('dnsbl.zones', 'bl.test=reject');
    try {
      const r = await send(
        server.port('smtp'),
        'a@good.test',
        'you@here.test',
        signedBody.replace(/\r\n/g, '\n'),
      );
      assert.equal(
        r,
        '554 5.7.1 Service unavailable; client [127.0.0.1] blocked using bl.test; test listing',
      );
    } finally {
      server.app.config.set('dnsbl.zones', '');
    }
  });
});
