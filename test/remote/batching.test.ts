import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SmtpWire } from '../smtp/smtp-client.js';
import { TestDnsServer } from '../support/dns-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { SinkMta } from '../support/sink-mta.js';

async function send(port: number, to: string[], subject: string): Promise<void> {
  const c = await SmtpWire.open(port);
  await c.reply();
  assert.match(await c.cmd('EHLO client.test'), /^250/);
  assert.match(await c.cmd('MAIL FROM:<alice@local.test>'), /^250/);
  for (const r of to) assert.match(await c.cmd(`RCPT TO:<${r}>`), /^250/, r);
  assert.match(await c.cmd('DATA'), /^354/);
  assert.match(await c.cmd(`Subject: ${subject}\r\n\r\nbody\r\n.`), /^250 /);
  await c.cmd('QUIT');
}

async function states(server: TestServer, recipients: string[]): Promise<Map<string, string>> {
  const rows = await server.app.store.db.all<{ recipient: string; state: string; last_reply: string | null }>(
    `SELECT recipient, state, last_reply FROM queue_recipients WHERE recipient IN (${recipients.map(() => '?').join(',')})`,
    recipients,
  );
  return new Map(rows.map((r) => [r.recipient, `${r.state} ${r.last_reply ?? ''}`]));
}

function loggedReplies(server: TestServer, recipient: string): { result: string; reply: string }[] {
  return readFileSync(server.app.config.path('log.delivery_file'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { recipient: string; result: string; reply: string })
    .filter((l) => l.recipient === recipient);
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('several recipients of one message in one SMTP transaction', () => {
  const dns = new TestDnsServer();
  const sink = new SinkMta();
  let server: TestServer;

  before(async () => {
    await dns.start();
    await sink.start();
    for (const d of ['one.test', 'two.test'])
      dns
        .add(d, { type: 'MX', exchange: `mx.${d}`, priority: 10 })
        .add(`mx.${d}`, { type: 'A', address: '127.0.0.1' });
    server = await startTestServer({
      'dns.servers': dns.address,
      'smtp.routes': `one.test::${sink.port}, two.test::${sink.port}`,
      'smtp.trusted_networks': '127.0.0.1/32',
      'smtp.destination_recipient_limit': '3',
      'queue.minimal_backoff_time': '1s',
      'queue.maximal_backoff_time': '1s',
      'authenticity.check': 'false',
    });
  });
  after(async () => {
    await server.close();
    await sink.stop();
    await dns.stop();
  });
  beforeEach(() => {
    sink.messages.splice(0);
    sink.answer = () => null;
    sink.dataAnswer = () => null;
  });

  test('recipients are grouped per destination, at most destination_recipient_limit per transaction', async () => {
    const one = ['a1@one.test', 'a2@one.test', 'a3@one.test', 'a4@one.test', 'a5@one.test'];
    const two = ['b1@two.test', 'b2@two.test'];
    await send(server.port('smtp'), [...one, ...two], 'grouped');
    await sink.waitFor(3);
    await new Promise((r) => setTimeout(r, 300));
    const sets = sink.messages.map((m) => [...m.to].sort().join(' ')).sort();
    assert.deepEqual(sets, [
      'a1@one.test a2@one.test a3@one.test',
      'a4@one.test a5@one.test',
      'b1@two.test b2@two.test',
    ]);
  });

  test('a 550 to one RCPT bounces that recipient only; the others are delivered in the same transaction', async () => {
    sink.answer = (rcpt) => (rcpt === 'gone@one.test' ? { code: 550, text: '5.1.1 no such user' } : null);
    const rcpts = ['c1@one.test', 'gone@one.test', 'c2@one.test'];
    await send(server.port('smtp'), rcpts, 'one bad');
    await sink.waitFor(1);
    assert.deepEqual(sink.messages[0]!.to, ['c1@one.test', 'c2@one.test']);
    // The delivery log, not the queue row: once the bounce is sent the message leaves the queue,
    // and a poll can miss the row's short 'bounced' state (the final full run did, under load).
    await until('the refused recipient to bounce', () =>
      loggedReplies(server, 'gone@one.test').some(
        (l) => l.result === 'failure' && /550 5\.1\.1 no such user/.test(l.reply),
      ),
    );
    assert.equal(sink.messages.length, 1);
  });

  test('a 4xx at DATA defers every recipient of the transaction; they are delivered on retry', async () => {
    let refusals = 1;
    sink.dataAnswer = () => (refusals-- > 0 ? { code: 451, text: '4.3.0 try again later' } : null);
    const rcpts = ['d1@one.test', 'd2@one.test', 'd3@one.test'];
    await send(server.port('smtp'), rcpts, 'data 4xx');
    await until('all three deferred', async () => {
      const s = await states(server, rcpts);
      return rcpts.every((r) => /^deferred .*451 4\.3\.0 try again later/.test(s.get(r) ?? ''));
    });
    assert.equal(sink.messages.length, 0);
    await sink.waitFor(1);
    await until('every recipient delivered', () => sink.messages.flatMap((m) => m.to).length === 3);
    assert.deepEqual(sink.messages.flatMap((m) => m.to).sort(), rcpts);
  });
});
