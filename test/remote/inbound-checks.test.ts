import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dnsRecord } from '../../src/dkim/dkim-service.js';
import { SmtpWire } from '../smtp/smtp-client.js';
import { TestDnsServer } from '../support/dns-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Sends one message; returns the final reply (to DATA's end, or the first refusal, named RCPT). */
async function send(port: number, from: string, to: string, body: string): Promise<string> {
  const c = await SmtpWire.open(port);
  await c.reply();
  await c.cmd('EHLO mx.sender.test');
  await c.cmd(`MAIL FROM:<${from}>`);
  const rcpt = await c.cmd(`RCPT TO:<${to}>`);
  if (!rcpt.startsWith('250')) return `RCPT ${rcpt}`;
  await c.cmd('DATA');
  const r = await c.cmd(`${body.replace(/\n/g, '\r\n')}\r\n.`);
  await c.cmd('QUIT');
  return r;
}

describe('sender authenticity at end of DATA, DNSBL at RCPT', () => {
  const dns = new TestDnsServer();
  let server: TestServer;
  let accountId: number;
  let signedBody: string;

  before(async () => {
    await dns.start();
    server = await startTestServer({ 'dns.servers': dns.address });
    while (!server.app.scan.spam.isReady) await new Promise((r) => setTimeout(r, 100));
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

  const seen = new Map<string, number>();
  /** The next message delivered to the folder after the ones already looked at there. */
  async function lastMessage(folder = 'INBOX'): Promise<string> {
    const end = Date.now() + 10_000;
    const actor = await server.app.mailbox.actorFor(accountId);
    for (;;) {
      const snap = await server.app.mailbox.folders.select(actor, folder).catch(() => undefined);
      const uid = snap?.uids[seen.get(folder) ?? 0];
      if (snap && uid !== undefined) {
        seen.set(folder, snap.uids.length);
        return (
          await server.app.mailbox.messages.read(actor, folder, snap.uids[snap.uids.length - 1]!)
        ).toString();
      }
      if (Date.now() > end) throw new Error(`nothing delivered to ${folder}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const sendGenuine = () =>
    send(server.port('smtp'), 'a@good.test', 'you@here.test', signedBody.replace(/\r\n/g, '\n'));

  async function withZones<T>(zones: string, f: () => Promise<T>): Promise<T> {
    server.app.config.set('dnsbl.zones', zones);
    try {
      return await f();
    } finally {
      server.app.config.set('dnsbl.zones', '');
    }
  }

  async function inboxCount(): Promise<number> {
    const actor = await server.app.mailbox.actorFor(accountId);
    return (await server.app.mailbox.folders.select(actor, 'INBOX')).uids.length;
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

  test('p=quarantine files into Junk, marked, whatever the spam score; enforce=none only records', async () => {
    const inbox = await inboxCount();
    assert.match(
      await send(server.port('smtp'), 'x@soft.test', 'you@here.test', 'From: x@soft.test\nSubject: q\n\nq'),
      /^250 /,
    );
    const junk = await lastMessage('Junk');
    assert.match(junk, /^X-Mailstead-Quarantine: DMARC policy of soft\.test/m);
    assert.match(junk, /^X-Spam-Status: No, score=0\.\d/m);
    assert.equal(await inboxCount(), inbox);
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

  test('a client listed in a DNSBL zone set to reject gets 554 5.7.1 with the reason at RCPT', async () => {
    const r = await withZones('bl.test=reject', sendGenuine);
    assert.equal(
      r,
      'RCPT 554 5.7.1 Service unavailable; client [127.0.0.1] blocked using bl.test; test listing',
    );
  });

  test('a zone set to score:N adds N to the spam score: the message is accepted, scored and filed as spam', async () => {
    const r = await withZones('bl.test=score:7.5, unlisted.test=score:3', sendGenuine);
    assert.match(r, /^250 /);
    const queueId = /queued as (\S+)/.exec(r)![1]!;
    const v = await server.app.scan.store.verdicts.get(queueId);
    assert.deepEqual(
      v?.hits.filter((h) => h.name.startsWith('RCVD_IN_')),
      [
        {
          name: 'RCVD_IN_BL_TEST',
          score: 7.5,
          description: 'Client [127.0.0.1] listed in bl.test (127.0.0.2)',
        },
      ],
    );
    assert.ok(v!.score >= 7.5, `score ${v!.score}`);
    assert.match(await lastMessage('Junk'), /^X-Spam-Status: Yes, score=\d+\.\d+ .*RCVD_IN_BL_TEST/m);
  });
});
