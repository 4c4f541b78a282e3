import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SinkMta } from '../support/sink-mta.js';
import { message, sendMail, settle, sieveFixture, waitFor, type SieveFixture } from './sieve-fixture.js';

const ERIN = 'erin@example.test';
const FRANK = 'frank@example.test';

describe('vacation replies through the rule model (RFC 5230, RFC 3834)', () => {
  let f: SieveFixture;
  // Replies to example.org leave for this MTA by a fixed route, never by the machine's DNS.
  const remote = new SinkMta();
  before(async () => {
    await remote.start();
    f = await sieveFixture([ERIN, FRANK], { 'smtp.routes': `example.org:127.0.0.1:${remote.port}` });
    await f.server.app.sieve.editRules(f.ids.get(ERIN)!, {
      op: 'vacation',
      vacation: {
        enabled: true,
        from: '2000-01-01',
        until: '2999-12-31',
        subject: 'Out of office',
        text: 'Back on Monday.\nÜrgent: call +49 30 1234.',
        addresses: [],
        days: 7,
      },
    });
  });
  after(async () => {
    await f.close();
    await remote.stop();
  });

  /** Replies to a remote sender: still in the queue, or already taken by the remote MTA. */
  const repliesTo = async (to: string) => [
    ...(await f.server.app.queue.admin.list({}))
      .filter((r) => r.recipient === to && r.sender === '')
      .map((r) => `queued ${r.kind}`),
    ...remote.messages.filter((m) => m.from === '' && m.to.includes(to)).map(() => 'sent'),
  ];

  test('one reply per sender per period, marked auto-replied and threaded', async () => {
    await sendMail(
      f,
      FRANK,
      [ERIN],
      message({ From: FRANK, To: ERIN, Subject: 'lunch', 'Message-ID': '<m1@example.test>' }),
    );
    const [reply] = await waitFor(f, FRANK, 'INBOX', 1);
    assert.match(reply!.raw, /^Auto-Submitted: auto-replied/m);
    assert.match(reply!.raw, /^Subject: Out of office/m);
    assert.match(reply!.raw, /^In-Reply-To: <m1@example.test>/m);
    assert.match(reply!.raw, /^From: erin@example.test/m);
    assert.match(reply!.raw, /^Return-Path: <>/m);
    assert.match(Buffer.from(reply!.raw.split('\r\n\r\n')[1]!, 'base64').toString('utf8'), /Ürgent/);
    await sendMail(f, FRANK, [ERIN], message({ From: FRANK, To: ERIN, Subject: 'lunch again' }));
    await waitFor(f, ERIN, 'INBOX', 2);
    await settle(f);
    assert.equal((await waitFor(f, FRANK, 'INBOX', 1)).length, 1, 'no second reply within the period');
  });

  test('a remote sender gets the reply by remote delivery', async () => {
    await sendMail(
      f,
      'client@example.org',
      [ERIN],
      message({ From: 'client@example.org', To: ERIN, Subject: 'offer' }),
    );
    await waitFor(f, ERIN, 'INBOX', 3);
    await remote.waitFor(1);
    const [reply] = remote.messages;
    assert.equal(reply!.from, '');
    assert.deepEqual(reply!.to, ['client@example.org']);
    assert.match(reply!.data.toString(), /^Auto-Submitted: auto-replied/m);
    assert.match(reply!.data.toString(), /^Subject: Out of office/m);
    await settle(f);
    assert.deepEqual(await repliesTo('client@example.org'), ['sent']);
  });

  test('no reply to lists, bulk mail, auto-submitted mail, or mail not addressed to the user', async () => {
    const cases: [string, Record<string, string>][] = [
      ['list@example.org', { 'List-Id': '<news.example.org>' }],
      ['bulk@example.org', { Precedence: 'bulk' }],
      ['robot@example.org', { 'Auto-Submitted': 'auto-generated' }],
      ['bcc@example.org', { To: 'someone-else@example.org' }],
      ['owner-list@example.org', {}],
    ];
    for (const [from, extra] of cases)
      await sendMail(f, from, [ERIN], message({ From: from, To: ERIN, Subject: 'x', ...extra }));
    await waitFor(f, ERIN, 'INBOX', 3 + cases.length);
    await settle(f);
    for (const [from] of cases) assert.deepEqual(await repliesTo(from), [], `no reply to ${from}`);
  });

  test('switching vacation off stops the replies', async () => {
    const { app } = f.server;
    const model = await app.sieve.rules(f.ids.get(ERIN)!);
    await app.sieve.editRules(f.ids.get(ERIN)!, {
      op: 'vacation',
      vacation: { ...model.vacation!, enabled: false },
    });
    await sendMail(
      f,
      'new@example.org',
      [ERIN],
      message({ From: 'new@example.org', To: ERIN, Subject: 'hi' }),
    );
    await waitFor(f, ERIN, 'INBOX', 9);
    await settle(f);
    assert.deepEqual(await repliesTo('new@example.org'), []);
  });
});
