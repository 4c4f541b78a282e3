import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveMx } from '../../src/delivery/remote/mx.js';
import { createResolver } from '../../src/delivery/remote/resolver.js';
import { MailsteadError } from '../../src/core/errors.js';
import { TestDnsServer } from '../support/dns-server.js';

describe('MX routing against a DNS server on loopback', () => {
  const dns = new TestDnsServer();
  before(async () => {
    await dns.start();
    dns
      .add(
        'two.test',
        { type: 'MX', exchange: 'mx2.two.test', priority: 20 },
        { type: 'MX', exchange: 'mx1.two.test', priority: 10 },
      )
      .add('mx1.two.test', { type: 'A', address: '127.0.0.11' }, { type: 'AAAA', address: '::1' })
      .add('mx2.two.test', { type: 'A', address: '127.0.0.12' })
      .add('nomx.test', { type: 'A', address: '127.0.0.20' })
      .add('null.test', { type: 'MX', exchange: '', priority: 0 })
      .add(
        'dangling.test',
        { type: 'MX', exchange: 'gone.dangling.test', priority: 10 },
        { type: 'MX', exchange: 'ok.dangling.test', priority: 20 },
      )
      .add('ok.dangling.test', { type: 'A', address: '127.0.0.30' });
    dns.servfail.add('broken.test');
  });
  after(() => dns.stop());

  const resolver = () => createResolver([dns.address], 2000);

  test('MX hosts in preference order with IPv4 and IPv6 addresses', async () => {
    const hosts = await resolveMx(resolver(), 'two.test');
    assert.deepEqual(hosts, [
      { host: 'mx1.two.test', preference: 10, addresses: ['127.0.0.11', '::1'] },
      { host: 'mx2.two.test', preference: 20, addresses: ['127.0.0.12'] },
    ]);
  });

  test('no MX: the domain itself is the implicit MX', async () => {
    assert.deepEqual(await resolveMx(resolver(), 'nomx.test'), [
      { host: 'nomx.test', preference: 0, addresses: ['127.0.0.20'] },
    ]);
  });

  test('null MX is a permanent 556 5.1.10', async () => {
    await assert.rejects(
      resolveMx(resolver(), 'null.test'),
      (e: MailsteadError) => e.smtp?.code === 556 && e.smtp.enhanced === '5.1.10',
    );
  });

  test('an MX host without addresses is skipped for the next one', async () => {
    assert.deepEqual(
      (await resolveMx(resolver(), 'dangling.test')).map((h) => h.host),
      ['ok.dangling.test'],
    );
  });

  test('NXDOMAIN is permanent, SERVFAIL temporary', async () => {
    await assert.rejects(
      resolveMx(resolver(), 'nowhere.test'),
      (e: MailsteadError) => e.smtp?.code === 550 && e.smtp.enhanced === '5.1.2',
    );
    await assert.rejects(resolveMx(resolver(), 'broken.test'), (e: MailsteadError) => e.smtp?.code === 451);
  });
});
