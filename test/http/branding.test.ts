import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { pngImage } from '../support/images.js';
import { startApiServer } from './api-client.js';

/** A GET with the Host header a browser at `host` sends (fetch does not let a caller set it). */
function getAs(
  port: number,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

const XSS = '<img src=x onerror=alert(1)>"</style><script>alert(2)</script>';

describe('api: branding', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  let port: number;
  const branding = async (host: string) =>
    JSON.parse((await getAs(port, host, '/api/v1/branding')).body.toString());
  before(async () => {
    t = await startApiServer();
    port = t.server.port('http');
    await t.server.app.directory.addDomain({ name: 'sub.a.test' });
  });
  after(() => t.server.close());

  test('the login page of each hostname gets its own logo, name and colours; others get the server default', async () => {
    assert.deepEqual(await branding(`mail.a.test:${port}`), {
      productName: null,
      colours: { accent: null, header: null, headerText: null },
      logo: null,
    });
    assert.equal(
      (await t.admin.put('/branding/scopes/-', { productName: 'Hosting', colours: { accent: '#1f5fbf' } }))
        .status,
      200,
    );
    const set = await t.domainAdmin.put('/branding/scopes/a.test', {
      productName: 'A Corp',
      colours: { header: '#0b3d2e', headerText: '#ffffff' },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const png = pngImage(400, 50);
    const up = await t.domainAdmin.put('/branding/scopes/mail.a.test/logo', {
      image: png.toString('base64'),
    });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.deepEqual([up.body.width, up.body.height, up.body.contentType], [400, 50, 'image/png']);

    const a = await branding(`MAIL.A.TEST.:${port}`);
    assert.equal(a.productName, 'A Corp');
    assert.deepEqual(a.colours, { accent: '#1f5fbf', header: '#0b3d2e', headerText: '#ffffff' });
    assert.deepEqual([a.logo.width, a.logo.height], [400, 50]);
    const b = await branding(`mail.b.test:${port}`);
    assert.deepEqual([b.productName, b.logo, b.colours.header], ['Hosting', null, null]);
    assert.equal((await branding(`127.0.0.1:${port}`)).productName, 'Hosting');

    const logo = await getAs(port, `mail.b.test:${port}`, a.logo.url);
    assert.equal(logo.status, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.equal(logo.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(logo.body, png);
    const again = await getAs(port, `mail.a.test`, a.logo.url, {
      'if-none-match': String(logo.headers.etag),
    });
    assert.equal(again.status, 304);
    assert.equal((await getAs(port, 'x', '/admin/brand/logo/b.test')).status, 404);

    const css = await getAs(port, `webmail.a.test:${port}`, '/admin/brand.css');
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.match(css.body.toString(), /--accent: #1f5fbf; --header-bg: #0b3d2e; --header-fg: #ffffff;/);
    assert.doesNotMatch((await getAs(port, `mail.b.test`, '/admin/brand.css')).body.toString(), /header-bg/);
  });

  test('a logo too big, of another type than its bytes, or SVG is refused with the reason', async () => {
    const put = (image: Buffer) =>
      t.admin.put('/branding/scopes/-/logo', { image: image.toString('base64') });
    const big = await put(pngImage(401, 51));
    assert.equal(big.status, 400);
    assert.deepEqual(big.body, {
      error: 'the logo is 401×51 pixels; at most 400×50 fits the login page and header',
      key: 'image',
    });
    assert.match(
      (await put(Buffer.from(`<svg onload="alert(1)"/>`))).body.error,
      /SVG logos are not accepted/,
    );
    assert.match((await put(Buffer.from(`<html>${XSS}`))).body.error, /not a PNG, JPEG, GIF or WebP image/);
    assert.equal((await t.admin.put('/branding/scopes/-/logo', { image: 'not base64!' })).status, 400);
    assert.equal((await t.admin.get('/branding/scopes/-')).body.logo, null);
  });

  test('authorization: a domain admin brands only their own domain; group admins and users brand nothing', async () => {
    const body = { productName: 'Mine' };
    for (const [who, scope] of [
      [t.domainAdmin, '-'],
      [t.domainAdmin, 'b.test'],
      [t.domainAdmin, 'mail.b.test'],
      [t.domainAdmin, 'sub.a.test'],
      [t.domainAdmin, 'a.test.evil.example'],
      [t.groupAdmin, 'a.test'],
      [t.user, 'a.test'],
      [t.user, 'mail.a.test'],
      [t.otherUser, 'b.test'],
    ] as const) {
      assert.equal((await who.put(`/branding/scopes/${scope}`, body)).status, 403, `PUT ${scope}`);
      assert.equal((await who.get(`/branding/scopes/${scope}`)).status, 403, `GET ${scope}`);
      assert.equal((await who.delete(`/branding/scopes/${scope}/logo`)).status, 403, `DELETE logo ${scope}`);
      const logo = await who.put(`/branding/scopes/${scope}/logo`, {
        image: pngImage(10, 10).toString('base64'),
      });
      assert.equal(logo.status, 403, `PUT logo ${scope}`);
    }
    assert.equal((await t.groupAdmin.delete('/branding/scopes/a.test')).status, 403);
    assert.deepEqual(
      (await t.domainAdmin.get('/branding/scopes')).body.map((b: { scope: string }) => b.scope),
      ['a.test', 'mail.a.test'],
    );
    assert.deepEqual((await t.user.get('/branding/scopes')).body, []);
    assert.equal((await branding('mail.b.test')).productName, 'Hosting');
  });

  test('CSRF: a session without the token changes nothing; a caller without a session is 401', async () => {
    const r = await t.admin.call('PUT', '/branding/scopes/-', { productName: 'forged' }, { csrf: false });
    assert.equal(r.status, 403);
    const logo = await t.admin.call('DELETE', '/branding/scopes/a.test', undefined, { csrf: false });
    assert.equal(logo.status, 403);
    const anon = await fetch(`http://127.0.0.1:${port}/api/v1/branding/scopes/-`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productName: 'anon' }),
    });
    assert.equal(anon.status, 401);
    assert.equal((await branding('x.test')).productName, 'Hosting');
    assert.equal((await t.admin.get('/branding/scopes/a.test')).body.productName, 'A Corp');
  });

  test('a product name with markup is stored and served as the text it is; colours cannot carry CSS', async () => {
    assert.equal((await t.domainAdmin.put('/branding/scopes/a.test', { productName: XSS })).status, 200);
    const r = await getAs(port, 'mail.a.test', '/api/v1/branding');
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.equal(JSON.parse(r.body.toString()).productName, XSS);
    const css = await t.domainAdmin.put('/branding/scopes/a.test', { colours: { accent: '#000000}body{x' } });
    assert.equal(css.status, 400);
    assert.equal(css.body.key, 'accent');
    assert.doesNotMatch(
      (await getAs(port, 'mail.a.test', '/admin/brand.css')).body.toString(),
      /[{]\s*body|<|>/,
    );
  });

  test('the OpenAPI document describes the branding endpoints with the schemas that validate them', async () => {
    const doc = (await t.admin.get('/openapi.json')).body;
    for (const p of ['', '/scopes', '/scopes/{scope}', '/scopes/{scope}/logo'])
      assert.ok(doc.paths[`/api/v1/branding${p}`], p);
    const put = doc.paths['/api/v1/branding/scopes/{scope}/logo'].put;
    assert.deepEqual(put.requestBody.content['application/json'].schema.required, ['image']);
    // The public endpoint needs no credentials; the others inherit the document's session or token.
    assert.deepEqual(doc.paths['/api/v1/branding'].get.security, []);
    assert.equal(doc.paths['/api/v1/branding/scopes/{scope}'].put.security, undefined);
  });
});
