import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient, startApiServer } from './api-client.js';

describe('api: config, queue, logs, status, DKIM, UI strings, inert payloads', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    t = await startApiServer();
  });
  after(() => t.server.close());

  test('config: list with help text, get, set, invalid value names the key, unset', async () => {
    const list = await t.admin.get('/config?prefix=smtp.');
    const size = list.body.find((e: any) => e.key === 'smtp.max_message_size');
    assert.ok(size.description.length > 10);
    assert.equal(size.type, 'size');
    assert.ok(list.body.find((e: any) => e.key === 'smtp.bare_lf').choices.includes('reject'));
    const set = await t.admin.put('/config/smtp.max_message_size', { value: '20M' });
    assert.equal(set.body.value, String(20 * 1024 * 1024));
    assert.equal(t.server.app.config.get('smtp.max_message_size'), 20 * 1024 * 1024);
    const bad = await t.admin.put('/config/smtp.max_message_size', { value: 'huge' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.key, 'smtp.max_message_size');
    assert.match(bad.body.error, /not a size/);
    assert.equal((await t.admin.put('/config/no.such_key', { value: '1' })).status, 400);
    assert.equal((await t.admin.delete('/config/smtp.max_message_size')).body.isDefault, true);
    assert.equal((await t.admin.get('/config/smtp.greeting')).status, 200);
  });

  test('queue: test message, counts, list with filter and paging, show, hold, release, retry, purge', async () => {
    const sent = await t.admin.post('/queue/test', { from: 'dom@a.test', to: 'someone@remote.invalid' });
    assert.equal(sent.status, 200);
    const id = sent.body.queueId;
    // The queue manager runs: the message may already be delivered or bounced, so the state is not fixed here.
    const shown = await t.admin.get(`/queue/messages/${id}`);
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.match(shown.body.headers, /Subject: Mailstead test message/);
    const stats = (await t.admin.get('/queue/stats')).body;
    assert.equal(stats.total, stats.queued + stats.deferred + stats.held);
    const first = await t.admin.get('/queue?limit=1&offset=0');
    assert.ok(first.body.items.length <= 1 && typeof first.body.more === 'boolean');
    assert.equal((await t.admin.get('/queue?limit=5000')).status, 400, 'pages are bounded');
    assert.equal((await t.admin.get('/queue?sender=nobody-like-this')).body.items.length, 0);
    for (const action of ['hold', 'release', 'retry']) {
      const r = await t.admin.post('/queue/actions', { action, queueIds: [id] });
      assert.equal(r.status, 200, action);
      assert.equal(typeof r.body.affected, 'number');
    }
    assert.equal((await t.admin.post('/queue/process')).status, 200);
    assert.ok((await t.admin.get('/queue/shape')).body.buckets.length > 3);
    assert.equal((await t.admin.post('/queue/actions', { action: 'delete', queueIds: [id] })).status, 200);
    assert.equal(
      (await t.admin.post('/queue/actions', { action: 'purge', filter: { domain: 'remote.invalid' } }))
        .status,
      200,
    );
    assert.equal((await t.admin.post('/queue/actions', { action: 'explode' })).status, 400);
    assert.equal((await t.admin.get('/queue/messages/nope')).status, 404);
  });

  test('logs: deliveries, top, stats, traffic', async () => {
    const show = await t.admin.get('/logs/deliveries?last=1%20hour');
    assert.equal(show.status, 200, JSON.stringify(show.body));
    assert.ok(Array.isArray(show.body.records));
    for (const s of ['senders', 'recipients', 'deferrals', 'failures'])
      assert.equal((await t.admin.get(`/logs/top/${s}?last=1%20day`)).status, 200, s);
    assert.ok((await t.admin.get('/logs/stats/domains')).body.columns.includes('domain'));
    assert.equal((await t.admin.get('/logs/traffic?hours=3')).body.length, 3);
    assert.equal((await t.admin.get('/logs/deliveries?last=banana')).status, 400);
  });

  test('DKIM: a domain admin generates for their own domain and gets the DNS record', async () => {
    const k = await t.domainAdmin.post('/dkim', { domain: 'a.test', selector: 's1', algorithm: 'ed25519' });
    assert.equal(k.status, 200);
    assert.equal(k.body.record.name, 's1._domainkey.a.test');
    assert.match(k.body.record.value, /^v=DKIM1; k=ed25519; p=/);
    assert.equal((await t.domainAdmin.get('/dkim?domain=a.test')).body.length, 1);
    assert.equal((await t.domainAdmin.get('/dkim?domain=b.test')).status, 403);
    assert.equal((await t.domainAdmin.get('/dkim')).status, 403);
    assert.equal((await t.admin.get('/dkim')).body.length, 1);
  });

  test('UI strings: public read, admin override per locale, reset', async () => {
    const anon = ApiClient.for(t.server);
    assert.equal((await anon.get('/i18n/en')).body['login.submit'], 'Log in');
    assert.equal((await t.admin.put('/i18n/en/aliases.create', { value: 'Party' })).status, 200);
    assert.equal((await anon.get('/i18n/en')).body['aliases.create'], 'Party');
    assert.deepEqual((await t.admin.get('/i18n/en/overrides')).body, { 'aliases.create': 'Party' });
    assert.equal((await t.admin.put('/i18n/de/aliases.create', { value: 'Verteiler anlegen' })).status, 200);
    assert.equal((await anon.get('/i18n/de')).body['aliases.create'], 'Verteiler anlegen');
    assert.equal((await t.admin.put('/i18n/en/no.such.string', { value: 'x' })).status, 404);
    assert.equal((await t.user.put('/i18n/en/aliases.create', { value: 'x' })).status, 403);
    await t.admin.delete('/i18n/en/aliases.create');
    assert.notEqual((await anon.get('/i18n/en')).body['aliases.create'], 'Party');
  });

  test('XSS payloads in user-controlled fields come back as the same data, as JSON', async () => {
    const payload = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
    const r = await t.admin.post('/accounts', { address: 'xss@a.test', password: 'p', displayName: payload });
    assert.equal(r.body.displayName, payload);
    assert.match(r.headers.get('content-type')!, /^application\/json/);
    const alias = await t.admin.post('/aliases', {
      address: 'xss-list@a.test',
      members: ['xss@a.test'],
      allowedSenders: [payload],
    });
    assert.ok(alias.status === 400 || alias.body.allowedSenders[0] === payload, JSON.stringify(alias.body));
    const rule = await t.admin.post('/accounts/xss@a.test/filters', {
      name: payload,
      enabled: true,
      match: 'all',
      conditions: [{ field: 'subject', op: 'contains', value: payload }],
      actions: [{ type: 'keep' }],
      stop: false,
    });
    assert.equal(rule.body.rules[0].name, payload);
    const page = await fetch(`${t.admin.base}/admin/`);
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });

  test('the built UI: hashed bundle cached for a year and sent compressed, the page revalidated by ETag', async () => {
    const page = await fetch(`${t.admin.base}/admin/`);
    const html = await page.text();
    const script = /src="(js\/main-[A-Z0-9]{8}\.js)"/.exec(html)?.[1];
    const style = /href="(assets\/admin-[A-Z0-9]{8}\.css)"/.exec(html)?.[1];
    assert.ok(script && style, html);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const again = await fetch(`${t.admin.base}/admin/`, {
      headers: { 'if-none-match': page.headers.get('etag')! },
    });
    assert.equal(again.status, 304);

    for (const path of [script, style]) {
      const plain = await fetch(`${t.admin.base}/admin/${path}`, {
        headers: { 'accept-encoding': 'identity' },
      });
      assert.equal(plain.status, 200);
      assert.match(plain.headers.get('cache-control')!, /immutable/);
      assert.match(plain.headers.get('content-security-policy')!, /script-src 'self'/);
      assert.equal(plain.headers.get('content-encoding'), null);
      const body = await plain.text();
      // fetch decodes what it asked for: the same text arrives brotli- or gzip-encoded, or plain if refused.
      for (const [accept, encoding] of [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0, gzip', 'gzip'],
        ['br;q=0', null],
      ] as const) {
        const r = await fetch(`${t.admin.base}/admin/${path}`, { headers: { 'accept-encoding': accept } });
        assert.equal(r.headers.get('content-encoding'), encoding, accept);
        assert.equal(await r.text(), body);
      }
    }
    // The unbundled module path of before the bundle, and a path out of the UI's directory, are not there.
    assert.equal((await fetch(`${t.admin.base}/admin/js/main.js`)).status, 404);
    assert.equal((await fetch(`${t.admin.base}/admin/js/..%2F..%2F..%2Fpackage.json`)).status, 404);
    const brand = await fetch(`${t.admin.base}/admin/brand.css`);
    const brandAgain = await fetch(`${t.admin.base}/admin/brand.css`, {
      headers: { 'if-none-match': brand.headers.get('etag')! },
    });
    assert.equal(brandAgain.status, 304);
  });
});
