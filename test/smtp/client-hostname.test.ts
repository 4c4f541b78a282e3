import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { TestDnsServer } from '../support/dns-server.js';
import type { TestServer } from '../support/server.js';
import { SmtpWire } from './smtp-client.js';
import { inbox, queueSettled, send, startSmtpServer } from './smtp-fixture.js';

/*
 * smtp.reject_unknown_client_hostname against a real DNS server on loopback: the client is
 * 127.0.0.1, whose PTR name is 1.0.0.127.in-addr.arpa in the test zone.
 */
const PTR = '1.0.0.127.in-addr.arpa';
let dns: TestDnsServer;
let s: TestServer;

before(async () => {
  dns = await new TestDnsServer().start();
  s = await startSmtpServer({ 'dns.servers': dns.address, 'smtp.reject_unknown_client_hostname': 'true' });
});
after(async () => {
  await s.close();
  await dns.stop();
});
beforeEach(() => {
  dns.zone.clear();
  dns.servfail.clear();
});

/** The greeting of a new connection, and whether the server then closed it. */
async function greeting(): Promise<{ reply: string; closed: boolean }> {
  const c = await SmtpWire.open(s.port('smtp'));
  const reply = await c.reply();
  const closed = await c.waitClosed(reply.startsWith('220') ? 300 : 5000);
  c.close();
  return { reply, closed };
}

test('no PTR record: 550 5.7.25 and the connection closes', async () => {
  assert.deepEqual(await greeting(), {
    reply: '550 5.7.25 Client host rejected: cannot find your hostname, [127.0.0.1]',
    closed: true,
  });
});

test('a PTR name that does not resolve back to the client: 550 5.7.25', async () => {
  dns.set(PTR, { type: 'PTR', domain: 'client.example.org' });
  assert.deepEqual(await greeting(), {
    reply: '550 5.7.25 Client host rejected: hostname client.example.org does not resolve to [127.0.0.1]',
    closed: true,
  });
  dns.set('client.example.org', { type: 'A', address: '127.0.0.2' });
  assert.match((await greeting()).reply, /^550 5\.7\.25 .*does not resolve to/, 'resolves elsewhere');
});

test('DNS failing to answer is temporary: 450 4.7.25', async () => {
  dns.servfail.add(PTR);
  assert.deepEqual(await greeting(), {
    reply: '450 4.7.25 Client host rejected: cannot find your hostname, [127.0.0.1]',
    closed: true,
  });
  dns.servfail.clear();
  dns.set(PTR, { type: 'PTR', domain: 'client.example.org' });
  dns.servfail.add('client.example.org');
  assert.match((await greeting()).reply, /^450 4\.7\.25 /, 'forward lookup failing');
});

test('a client whose name resolves both ways is accepted and named in Received', async () => {
  dns.set(PTR, { type: 'PTR', domain: 'other.example.org' }, { type: 'PTR', domain: 'client.example.org' });
  dns.set('client.example.org', { type: 'A', address: '127.0.0.1' });
  const { reply, closed } = await greeting();
  assert.match(reply, /^220 /);
  assert.equal(closed, false);
  const c = await SmtpWire.open(s.port('smtp'));
  await c.reply();
  await c.cmd('EHLO helo.example.org');
  assert.match(
    await send(c, 'a@elsewhere.example', ['bob@example.test'], 'Subject: ptr ok\r\n\r\nx\r\n'),
    /^250 2\.0\.0 /,
  );
  c.close();
  await queueSettled(s);
  const got = (await inbox(s, 'bob@example.test')).find((m) => m.includes('Subject: ptr ok'));
  assert.match(got ?? '', /Received: from helo\.example\.org \(client\.example\.org \[127\.0\.0\.1\]\)/);
});

test('trusted networks and the switch turned off skip the check', async () => {
  s.app.config.set('smtp.trusted_networks', '127.0.0.0/8');
  try {
    assert.match((await greeting()).reply, /^220 /);
  } finally {
    s.app.config.unset('smtp.trusted_networks');
  }
  s.app.config.set('smtp.reject_unknown_client_hostname', 'false');
  try {
    assert.match((await greeting()).reply, /^220 /);
  } finally {
    s.app.config.set('smtp.reject_unknown_client_hostname', 'true');
  }
  assert.match((await greeting()).reply, /^550 /, 'and back on');
});
