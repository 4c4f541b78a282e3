import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dnsRecord, DkimService } from '../../src/dkim/dkim-service.js';
import { createResolver } from '../../src/delivery/remote/resolver.js';
import { silentLogger } from '../../src/log/logger.js';
import { checkAuthenticity } from '../../src/policy/authenticity.js';
import { checkDnsbl, dnsblName, parseDnsblZone } from '../../src/policy/dnsbl.js';
import { dkimSchema } from '../../src/store/dkim/dkim-repo.js';
import { migrate } from '../../src/store/migrate.js';
import { SqliteDb } from '../../src/store/sqlite/sqlite-db.js';
import { TestDnsServer } from '../support/dns-server.js';

describe('inbound authenticity against a DNS server on loopback', () => {
  const dns = new TestDnsServer();
  let db: SqliteDb;
  let signed: Buffer;
  const unsigned = Buffer.from(
    'From: boss@bank.test\r\nTo: you@here.test\r\nSubject: wire money\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <f@bank.test>\r\n\r\nNow.\r\n',
  );

  before(async () => {
    await dns.start();
    db = SqliteDb.open(':memory:');
    await migrate(db, [dkimSchema]);
    const dkim = new DkimService(db, silentLogger());
    const key = await dkim.generate('good.test', { selector: 'sel' });
    const rec = dnsRecord(key);
    dns
      .add(rec.name, { type: 'TXT', data: rec.value })
      .add('good.test', { type: 'TXT', data: 'v=spf1 ip4:192.0.2.10 -all' })
      .add('_dmarc.good.test', { type: 'TXT', data: 'v=DMARC1; p=reject' })
      .add('bank.test', { type: 'TXT', data: 'v=spf1 ip4:192.0.2.99 -all' })
      .add('_dmarc.bank.test', { type: 'TXT', data: 'v=DMARC1; p=reject' })
      .add('soft.test', { type: 'TXT', data: 'v=spf1 -all' })
      .add('_dmarc.soft.test', { type: 'TXT', data: 'v=DMARC1; p=quarantine' })
      // DNSBL: 192.0.2.66 is listed with a reason; 2001:db8::1 too.
      .add(
        '66.2.0.192.bl.test',
        { type: 'A', address: '127.0.0.2' },
        { type: 'TXT', data: 'listed for spam' },
      )
      .add(dnsblName('2001:db8::1', 'bl.test')!, { type: 'A', address: '127.0.0.4' })
      .add('66.2.0.192.other.test', { type: 'A', address: '10.0.0.1' });
    signed = await dkim.sign(
      Buffer.from(
        'From: alice@good.test\r\nTo: you@here.test\r\nSubject: hello\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <g@good.test>\r\n\r\nHi.\r\n',
      ),
    );
  });
  after(async () => {
    await dns.stop();
    await db.close();
  });

  const resolver = () => createResolver([dns.address], 2000);

  test('an aligned, signed message from a permitted IP passes SPF, DKIM and DMARC', async () => {
    const v = await checkAuthenticity(resolver(), {
      message: signed,
      sender: 'alice@good.test',
      ip: '192.0.2.10',
      helo: 'mx.good.test',
      mta: 'mail.here.test',
    });
    assert.deepEqual([v.spf, v.dkim, v.dmarc, v.dmarcFailurePolicy], ['pass', 'pass', 'pass', null]);
    assert.match(v.headers, /^Authentication-Results: mail\.here\.test;/m);
    assert.match(v.headers, /dkim=pass header\.i=@good\.test/);
  });

  test("a forged From: fails DMARC and carries the domain's reject policy", async () => {
    const v = await checkAuthenticity(resolver(), {
      message: unsigned,
      sender: 'boss@bank.test',
      ip: '198.51.100.7',
      helo: 'evil.test',
      mta: 'mail.here.test',
    });
    assert.equal(v.spf, 'fail');
    assert.equal(v.dmarc, 'fail');
    assert.equal(v.dmarcFailurePolicy, 'reject');
    assert.equal(v.fromDomain, 'bank.test');
  });

  test('p=quarantine is reported as such', async () => {
    const msg = Buffer.from(unsigned.toString().replace('boss@bank.test', 'x@soft.test'));
    const v = await checkAuthenticity(resolver(), {
      message: msg,
      sender: 'x@soft.test',
      ip: '198.51.100.7',
      helo: 'h',
      mta: 'm',
    });
    assert.equal(v.dmarcFailurePolicy, 'quarantine');
  });

  test('a tampered signed message fails DKIM', async () => {
    const tampered = Buffer.from(signed.toString().replace('Hi.', 'Pay.'));
    const v = await checkAuthenticity(resolver(), {
      message: tampered,
      sender: 'alice@good.test',
      ip: '192.0.2.10',
      helo: 'h',
      mta: 'm',
    });
    // mailauth reports a body-hash mismatch as neutral ("body hash did not verify"), not pass.
    assert.ok(['fail', 'neutral'].includes(v.dkim), v.dkim);
    assert.match(v.headers, /dkim=(fail|neutral)/);
    assert.equal(v.spf, 'pass');
  });

  test('DNSBL: listed addresses with their reason; non-127 answers ignored', async () => {
    const zones = ['bl.test', 'other.test=score:2.5'].map(parseDnsblZone);
    const hits = await checkDnsbl(resolver(), '192.0.2.66', zones);
    assert.deepEqual(hits, [
      { zone: 'bl.test', codes: ['127.0.0.2'], reason: 'listed for spam', action: { kind: 'reject' } },
    ]);
    assert.deepEqual(await checkDnsbl(resolver(), '192.0.2.67', zones), []);
    assert.equal((await checkDnsbl(resolver(), '2001:db8::1', zones))[0]?.codes[0], '127.0.0.4');
  });

  test('DNSBL zone syntax and query names', () => {
    assert.deepEqual(parseDnsblZone('zen.example=score:-1'), {
      zone: 'zen.example',
      action: { kind: 'score', score: -1 },
    });
    assert.throws(() => parseDnsblZone('zen.example=maybe'), /must be reject or score:N/);
    assert.equal(dnsblName('::ffff:1.2.3.4', 'z'), '4.3.2.1.z');
    assert.equal(
      dnsblName('2001:db8::1', 'z'),
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.z',
    );
  });
});
