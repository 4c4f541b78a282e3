import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DnsCache } from '../../src/delivery/remote/dns-cache.js';
import { createResolver } from '../../src/delivery/remote/resolver.js';
import { TestDnsServer } from '../support/dns-server.js';

describe('the DNS cache of remote delivery, against a DNS server on loopback', () => {
  const dns = new TestDnsServer();
  let now = 1_000_000;
  let maxMs = 60_000;
  let cache: DnsCache;

  before(async () => {
    await dns.start();
    dns
      .add('dest.test', { type: 'MX', exchange: 'mx.dest.test', priority: 10 })
      .add('mx.dest.test', { type: 'A', address: '127.0.0.5' });
  });
  after(() => dns.stop());
  beforeEach(() => {
    dns.asked.length = 0;
    dns.ttl = 60;
    dns.servfail.clear();
    maxMs = 60_000;
    const resolver = createResolver([dns.address]);
    cache = new DnsCache(
      () => resolver,
      () => maxMs,
      () => now,
    );
  });
  const asked = (q: string) => dns.asked.filter((a) => a === q).length;

  test('lookups in flight at once share one query; later ones are answered from the cache', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => cache.resolveMx('dest.test')));
    for (const a of answers) assert.deepEqual(a, [{ exchange: 'mx.dest.test', priority: 10 }]);
    assert.deepEqual(await cache.resolve4('MX.dest.test'), ['127.0.0.5']);
    assert.deepEqual(await cache.resolve4('mx.dest.test'), ['127.0.0.5']);
    assert.equal(asked('MX dest.test'), 1);
    assert.equal(asked('A mx.dest.test'), 1);
  });

  test('an A record is kept for its TTL when that is shorter than dns.cache_time; MX for dns.cache_time', async () => {
    dns.ttl = 5;
    await cache.resolve4('mx.dest.test');
    await cache.resolveMx('dest.test');
    now += 6_000;
    await cache.resolve4('mx.dest.test');
    await cache.resolveMx('dest.test');
    assert.equal(asked('A mx.dest.test'), 2);
    assert.equal(asked('MX dest.test'), 1);
    now += 60_000;
    await cache.resolveMx('dest.test');
    assert.equal(asked('MX dest.test'), 2);
  });

  test('"no such record" is remembered; a temporary failure is asked again', async () => {
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        cache.resolve6('mx.dest.test'),
        (e: NodeJS.ErrnoException) => e.code === 'ENODATA',
      );
    for (let i = 0; i < 2; i++)
      await assert.rejects(cache.resolveTxt('_mta-sts.dest.test'), (e: NodeJS.ErrnoException) =>
        ['ENOTFOUND', 'NXDOMAIN'].includes(e.code ?? ''),
      );
    assert.equal(asked('AAAA mx.dest.test'), 1);
    assert.equal(asked('TXT _mta-sts.dest.test'), 1);
    dns.servfail.add('broken.dest.test');
    const servfail = (e: NodeJS.ErrnoException) => e.code === 'ESERVFAIL';
    await assert.rejects(cache.resolveMx('broken.dest.test'), servfail);
    const first = asked('MX broken.dest.test');
    await assert.rejects(cache.resolveMx('broken.dest.test'), servfail);
    assert.ok(asked('MX broken.dest.test') > first, dns.asked.join(', '));
  });

  test('dns.cache_time 0 asks the resolver every time', async () => {
    maxMs = 0;
    await cache.resolveMx('dest.test');
    await cache.resolveMx('dest.test');
    assert.equal(asked('MX dest.test'), 2);
  });
});
