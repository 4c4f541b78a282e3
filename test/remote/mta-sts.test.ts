import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { openApp, type App } from '../../src/app.js';
import { initDataDir } from '../../src/cli/init.js';
import { RemoteDeliverer } from '../../src/delivery/remote/remote-deliverer.js';
import type { DeliveryResult, DueRecipient } from '../../src/queue/types.js';
import { MtaStsRepo } from '../../src/store/remote/mta-sts-repo.js';
import { TestDnsServer } from '../support/dns-server.js';
import { SinkMta } from '../support/sink-mta.js';
import { TestCa } from '../support/test-ca.js';
import { tempDir } from '../support/tmp.js';

/**
 * MTA-STS against real parts on loopback: a DNS server, an HTTPS policy host and receiving MTAs
 * with certificates from the test's own CA. The deliverer is told to trust that CA and to reach
 * policy hosts on the test's port; certificate and name checks stay as in production.
 */
describe('MTA-STS (RFC 8461) for outbound mail', () => {
  const dns = new TestDnsServer();
  const ca = new TestCa();
  const good = new SinkMta({ tls: true, ...ca.issue('mx.sts.test') });
  // Answers for mx.badcert.test with a certificate for another name.
  const badCert = new SinkMta({ tls: true, ...ca.issue('elsewhere.test') });
  const policies = new Map<string, string>();
  const fetches: string[] = [];
  let https: Server;
  let app: App;
  let deliverer: RemoteDeliverer;
  let trust: { ca: string; mtaStsPort: number };
  let cleanup: () => void;
  let seq = 0;

  async function deliver(to: string): Promise<DeliveryResult> {
    const blob = await app.store.blobs.put(
      Buffer.from(`From: a@here.test\r\nTo: ${to}\r\nSubject: sts\r\n\r\nhi\r\n`),
    );
    const id = `sts${++seq}`;
    const r: DueRecipient = {
      id: seq,
      queueId: id,
      recipient: to,
      domain: to.split('@')[1]!,
      kind: 'remote',
      accountId: null,
      orcpt: null,
      notify: null,
      state: 'queued',
      nextAttempt: 0,
      attempts: 0,
      lastReply: null,
      updatedAt: 0,
      message: {
        id,
        sender: 'a@here.test',
        blobHash: blob.hash,
        blobVolume: '',
        size: blob.size,
        trace: '',
        messageId: null,
        subject: 'sts',
        clientIp: null,
        clientName: null,
        helo: null,
        authUser: null,
        source: 'smtp',
        dsnRet: null,
        dsnEnvid: null,
        receivedAt: Date.now(),
      },
    };
    return deliverer.deliver(r);
  }

  before(async () => {
    await dns.start();
    await good.start();
    await badCert.start();
    const policyCert = ca.issue(
      ...[
        'sts.test',
        'wrongmx.test',
        'badcert.test',
        'testing.test',
        'cached.test',
        'kept.test',
        'brief.test',
      ].map((d) => `mta-sts.${d}`),
    );
    https = createServer(policyCert, (req, res) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      fetches.push(host);
      const body = policies.get(host);
      if (req.url !== '/.well-known/mta-sts.txt' || body === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body);
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    const httpsPort = (https.address() as { port: number }).port;
    const routes: string[] = [];
    const domain = (d: string, mx: string, sink: SinkMta, policy: string) => {
      dns
        .add(d, { type: 'MX', exchange: mx, priority: 10 })
        .add(mx, { type: 'A', address: '127.0.0.1' })
        .add(`_mta-sts.${d}`, { type: 'TXT', data: 'v=STSv1; id=1;' })
        .add(`mta-sts.${d}`, { type: 'A', address: '127.0.0.1' });
      policies.set(`mta-sts.${d}`, `version: STSv1\r\n${policy}`);
      routes.push(`${d}::${sink.port}`);
    };
    domain('sts.test', 'mx.sts.test', good, 'mode: enforce\r\nmx: *.sts.test\r\nmax_age: 86400\r\n');
    domain(
      'wrongmx.test',
      'mx.sts.test',
      good,
      'mode: enforce\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n',
    );
    domain(
      'badcert.test',
      'mx.badcert.test',
      badCert,
      'mode: enforce\r\nmx: mx.badcert.test\r\nmax_age: 86400\r\n',
    );
    domain(
      'testing.test',
      'mx.badcert.test',
      badCert,
      'mode: testing\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n',
    );
    domain(
      'cached.test',
      'mx.sts.test',
      good,
      'mode: enforce\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n',
    );
    domain('kept.test', 'mx.sts.test', good, 'mode: enforce\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n');
    domain('brief.test', 'mx.sts.test', good, 'mode: enforce\r\nmx: mx.elsewhere.test\r\nmax_age: 1\r\n');
    let dir: string;
    ({ dir, cleanup } = tempDir());
    await initDataDir(dir, { hostname: 'mail.here.test' });
    app = await openApp(dir);
    app.config.set('dns.servers', dns.address);
    // The test changes the _mta-sts record between deliveries and expects the change seen at once.
    app.config.set('dns.cache_time', '0');
    app.config.set('smtp.routes', routes.join(', '));
    trust = { ca: ca.cert, mtaStsPort: httpsPort };
    deliverer = new RemoteDeliverer(
      app.config,
      app.store.blobs,
      app.log,
      undefined,
      trust,
      new MtaStsRepo(app.store.db),
    );
  });
  after(async () => {
    deliverer.close();
    await app.close();
    cleanup();
    await new Promise<void>((r) => https.close(() => r()));
    await good.stop();
    await badCert.stop();
    await dns.stop();
    ca.close();
  });

  test('enforce: delivered over TLS to an MX the policy names, its certificate verified', async () => {
    const res = await deliver('x@sts.test');
    assert.equal(res.state, 'delivered', res.reply);
    assert.match(res.reply, /\(TLS\)$/);
    assert.equal(good.messages.at(-1)?.secure, true);
  });

  test('enforce: an MX the policy does not name is never contacted; the mail is deferred', async () => {
    const before = good.messages.length;
    const res = await deliver('x@wrongmx.test');
    assert.deepEqual(res, {
      state: 'deferred',
      reply: '451 4.7.5 MTA-STS policy of wrongmx.test names none of its MX hosts (mx.sts.test)',
    });
    assert.equal(good.messages.length, before);
  });

  test('enforce: a certificate for another name defers instead of falling back to plain text', async () => {
    const res = await deliver('x@badcert.test');
    assert.equal(res.state, 'deferred', res.reply);
    assert.match(res.reply, /mx\.badcert\.test\[127\.0\.0\.1\].*(altnames|certificate|Hostname)/i);
    assert.equal(badCert.messages.length, 0);
  });

  test('testing: the same mismatches only log; the mail goes out (opportunistic TLS)', async () => {
    const res = await deliver('x@testing.test');
    assert.equal(res.state, 'delivered', res.reply);
    assert.equal(badCert.messages.length, 1);
  });

  test('the policy is cached for max_age: a policy host that disappears cannot lift it; a new id refetches', async () => {
    const fetched = () => fetches.filter((h) => h === 'mta-sts.cached.test').length;
    assert.equal((await deliver('x@cached.test')).state, 'deferred');
    assert.equal(fetched(), 1);
    // The attacker's move: policy host unreachable (404 here) and the TXT record gone.
    policies.delete('mta-sts.cached.test');
    dns.set('_mta-sts.cached.test');
    const res = await deliver('x@cached.test');
    assert.match(res.reply, /^451 4\.7\.5 MTA-STS policy of cached\.test/);
    // The owner publishes a new policy under a new id: it is fetched and applies.
    dns.set('_mta-sts.cached.test', { type: 'TXT', data: 'v=STSv1; id=2;' });
    policies.set(
      'mta-sts.cached.test',
      'version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 60\r\n',
    );
    const after = await deliver('x@cached.test');
    assert.equal(after.state, 'delivered', after.reply);
    assert.equal(fetched(), 2);
  });

  test('policies outlive a restart for their max_age (RFC 8461 §5): a new deliverer applies the stored one without fetching; an expired one is dropped', async () => {
    const repo = new MtaStsRepo(app.store.db);
    const fetched = (d: string) => fetches.filter((h) => h === `mta-sts.${d}`).length;
    assert.match((await deliver('x@kept.test')).reply, /^451 4\.7\.5 MTA-STS policy of kept\.test/);
    assert.match((await deliver('x@brief.test')).reply, /^451 4\.7\.5 MTA-STS policy of brief\.test/);
    const stored = await repo.get('kept.test');
    assert.deepEqual(stored && { id: stored.id, mode: stored.mode, mx: stored.mx, maxAge: stored.maxAge }, {
      id: '1',
      mode: 'enforce',
      mx: ['mx.elsewhere.test'],
      maxAge: 86400,
    });
    // The attacker blocks discovery while the server restarts: policy hosts and TXT records gone.
    for (const d of ['kept.test', 'brief.test']) {
      policies.delete(`mta-sts.${d}`);
      dns.set(`_mta-sts.${d}`);
    }
    deliverer.close();
    deliverer = new RemoteDeliverer(app.config, app.store.blobs, app.log, undefined, trust, repo);
    assert.match((await deliver('x@kept.test')).reply, /^451 4\.7\.5 MTA-STS policy of kept\.test/);
    assert.equal(fetched('kept.test'), 1);
    // brief.test's max_age of 1 s runs out: no policy remains, the mail goes out, the row is gone.
    await new Promise((r) => setTimeout(r, 1100));
    const res = await deliver('x@brief.test');
    assert.equal(res.state, 'delivered', res.reply);
    assert.equal(await repo.get('brief.test'), undefined);
    assert.ok(await repo.get('kept.test'));
  });
});
