import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient, PASSWORD, startApiServer } from './api-client.js';

describe('api: session, CSRF, tokens, OpenAPI', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    t = await startApiServer();
  });
  after(() => t.server.close());

  test('login sets a Secure, HttpOnly, SameSite=Strict cookie and returns a CSRF token', async () => {
    const c = ApiClient.for(t.server);
    const r = await c.login('seller@a.test', PASSWORD);
    assert.equal(r.status, 200);
    assert.equal(r.body.account.address, 'seller@a.test');
    assert.match(r.body.csrf, /^[A-Za-z0-9_-]{40,}$/);
    const cookie = r.headers.get('set-cookie')!;
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/'])
      assert.ok(cookie.includes(attr), `${attr} in ${cookie}`);
    assert.equal((await c.get('/session')).body.csrf, r.body.csrf);
  });

  test('wrong password and unknown users get the same 401', async () => {
    const c = ApiClient.for(t.server);
    const a = await c.login('seller@a.test', 'wrong');
    const b = await c.login('nobody@a.test', 'wrong');
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.body.error, b.body.error);
  });

  test('without a session every endpoint but login answers 401', async () => {
    const c = ApiClient.for(t.server);
    for (const path of ['/session', '/domains', '/accounts', '/config', '/queue/stats'])
      assert.equal((await c.get(path)).status, 401, path);
  });

  test('a state-changing request without the CSRF token is refused with 403 and changes nothing', async () => {
    const r = await t.admin.call('POST', '/domains', { name: 'csrf.test' }, { csrf: false });
    assert.equal(r.status, 403);
    assert.match(r.body.error, /CSRF/);
    assert.equal((await t.admin.get('/domains/csrf.test')).status, 404);
    const wrong = ApiClient.for(t.server);
    wrong.cookie = t.admin.cookie;
    wrong.csrf = 'x'.repeat(43);
    assert.equal((await wrong.post('/domains', { name: 'csrf.test' })).status, 403);
    assert.equal((await t.admin.post('/domains', { name: 'csrf.test' })).status, 200);
  });

  test('another session’s CSRF token does not work', async () => {
    const other = await t.as('seller@a.test');
    const mixed = ApiClient.for(t.server);
    mixed.cookie = t.admin.cookie;
    mixed.csrf = other.csrf;
    assert.equal((await mixed.post('/domains', { name: 'mixed.test' })).status, 403);
  });

  test('a form post from another site (text/plain) is not accepted as JSON', async () => {
    const res = await fetch(`${t.admin.base}/api/v1/domains`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie: t.admin.cookie!, 'x-csrf-token': t.admin.csrf! },
      body: '{"name":"form.test"}',
    });
    assert.equal(res.status, 415);
  });

  test('API tokens: created once, work without CSRF, listed without the secret, revoked', async () => {
    const created = await t.user.post('/tokens', { account: 'seller@a.test', name: 'backup script' });
    assert.equal(created.status, 200);
    assert.match(created.body.token, /^mst_/);
    const script = ApiClient.for(t.server);
    script.bearer = created.body.token;
    assert.equal((await script.get('/session')).body.account.address, 'seller@a.test');
    assert.equal((await script.patch('/accounts/seller@a.test', { displayName: 'Seller' })).status, 200);
    const list = await t.user.get('/tokens');
    assert.deepEqual(
      list.body.map((x: { name: string }) => x.name),
      ['backup script'],
    );
    assert.ok(!JSON.stringify(list.body).includes(created.body.token));
    assert.equal((await t.user.delete(`/tokens/${created.body.info.id}`)).status, 200);
    assert.equal((await script.get('/session')).status, 401);
  });

  test('a user cannot create or revoke tokens of another account', async () => {
    assert.equal((await t.user.post('/tokens', { account: 'helper@a.test', name: 'x' })).status, 403);
    const theirs = await t.admin.post('/tokens', { account: 'helper@a.test', name: 'theirs' });
    assert.equal((await t.user.delete(`/tokens/${theirs.body.info.id}`)).status, 403);
    const bogus = ApiClient.for(t.server);
    bogus.bearer = 'mst_' + 'A'.repeat(43);
    assert.equal((await bogus.get('/session')).status, 401);
  });

  test('logout ends the session', async () => {
    const c = await t.as('helper@a.test');
    assert.equal((await c.delete('/session')).status, 200);
    assert.equal((await c.get('/session')).status, 401);
  });

  test('a disabled account loses its session at once', async () => {
    const c = await t.as('bob@b.test');
    await t.admin.put('/accounts/bob@b.test/enabled', { enabled: false });
    assert.equal((await c.get('/session')).status, 401);
    await t.admin.put('/accounts/bob@b.test/enabled', { enabled: true });
  });

  test('invalid bodies are refused by the schema with 400', async () => {
    assert.equal((await t.admin.post('/accounts', { address: 'x@a.test' })).status, 400);
    assert.equal((await t.admin.post('/domains', { name: 'ok.test', bogus: 1 })).status, 400);
  });

  test('/api/v1/openapi.json documents every route with the validating schemas', async () => {
    const r = await ApiClient.for(t.server).get('/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    const accounts = r.body.paths['/api/v1/accounts'];
    assert.ok(accounts.post.requestBody.content['application/json'].schema.properties.password);
    assert.ok(r.body.paths['/api/v1/accounts/{address}/folders/{id}/acl'].put);
    assert.ok(
      r.body.paths['/api/v1/queue'].get.parameters.some((p: { name: string }) => p.name === 'offset'),
    );
    assert.ok(Object.keys(r.body.paths).length >= 40);
  });
});
