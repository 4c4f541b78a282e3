import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApiServer } from '../http/api-client.js';
import { launchBrowser, open, screenshot } from './browser.js';

/** The parts of the DOM the checks read (the tests compile without the DOM's types). */
type Img = { naturalWidth: number; naturalHeight: number; complete: boolean };
type Styled = { getComputedStyle(el: unknown): { backgroundColor: string } };
const decoded = (el: unknown) => {
  const i = el as Img;
  return [i.naturalWidth, i.naturalHeight, i.complete];
};

const XSS = '<img src=x onerror="window.__xss=1">';

/** An image as Chromium's own encoder writes it (canvas), with a coloured box and text drawn in. */
async function drawn(page: Page, width: number, height: number, type = 'image/png'): Promise<Buffer> {
  // A string, not a function: the tests compile without the DOM's types.
  const url = await page.evaluate<string>(`(() => {
    const c = document.createElement('canvas');
    c.width = ${width};
    c.height = ${height};
    const g = c.getContext('2d');
    g.fillStyle = '#0b3d2e';
    g.fillRect(0, 0, c.width, c.height);
    g.fillStyle = '#f0a500';
    g.font = 'bold ${Math.round(height * 0.6)}px sans-serif';
    g.fillText('A Corp', 8, ${height * 0.75});
    return c.toDataURL('${type}', 0.9);
  })()`);
  assert.ok(url.startsWith(`data:${type};base64,`), `Chromium encoded ${type}`);
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

async function uploadLogo(page: Page, image: Buffer): Promise<void> {
  await page
    .getByLabel('Logo image')
    .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: image });
  await page.getByRole('button', { name: 'Upload logo' }).click();
}

describe('branding in Chromium: a logo per hostname', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  let browser: Browser;
  let admin: Page;
  let port: number;
  const contexts: BrowserContext[] = [];
  /** A fresh visitor (no session) opening the login page at `host`. */
  async function visit(host: string): Promise<{ page: Page; ms: number }> {
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 600 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    const started = Date.now();
    await page.goto(`http://${host}:${port}/admin/`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    const ms = Date.now() - started;
    assert.deepEqual(dialogs, []);
    return { page, ms };
  }
  before(async () => {
    t = await startApiServer();
    port = t.server.port('http');
    // Real hostnames for one server: *.test resolves to loopback inside this browser only.
    browser = await launchBrowser(['--host-resolver-rules=MAP *.test 127.0.0.1']);
    admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    admin.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.server.close();
  });

  test('a domain admin uploads a logo for mail.a.test and sets the domain colours on the Branding page', async () => {
    // The session cookie is Secure, which Chromium accepts over plain HTTP from localhost only.
    await admin.goto(`http://localhost:${port}/admin/`);
    await admin.getByLabel('Email address').fill('dom@a.test');
    await admin.getByLabel('Password').fill('correct horse battery staple');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.waitForSelector('main[data-ready="true"]');
    await open(admin, `http://localhost:${port}`, 'branding/mail.a.test');
    assert.equal(await admin.locator('h1').textContent(), 'Branding — mail.a.test');

    // A file over 256 KB is refused in the page, before it is sent.
    const uploads: string[] = [];
    admin.on('request', (r) => void (r.url().endsWith('/logo') && uploads.push(r.method())));
    await uploadLogo(admin, Buffer.concat([await drawn(admin, 40, 40), Buffer.alloc(300 * 1024)]));
    await admin.getByText(/^the image is 30\d KB; a logo may have at most 256 KB$/).waitFor();
    assert.deepEqual(uploads, []);
    await uploadLogo(admin, await drawn(admin, 401, 50));
    await admin.getByText('the logo is 401×50 pixels; at most 400×50').waitFor();
    assert.equal(
      await admin.locator('#brand-logo-file').getAttribute('aria-describedby'),
      'brand-logo-help brand-logo-err',
    );
    await screenshot(admin, 'branding-logo-too-big');

    const logo = await drawn(admin, 400, 50);
    await uploadLogo(admin, logo);
    await admin.locator('section.logo-section img.logo').waitFor();
    assert.deepEqual(uploads, ['PUT', 'PUT']);
    const stored = (await t.domainAdmin.get('/branding/scopes/mail.a.test')).body.logo;
    assert.deepEqual([stored.width, stored.height, stored.bytes], [400, 50, logo.length]);

    await open(admin, `http://localhost:${port}`, 'branding/a.test');
    const look = admin.locator('form', { has: admin.locator('h3', { hasText: 'Name and colours' }) });
    await look.getByLabel('Product name').fill(XSS);
    await look.getByLabel('Header background colour').fill('#0b3d2e');
    await look.getByLabel('Header text colour').fill('#eeeeee');
    await look.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('Saved.').waitFor();
    await look.getByLabel('Accent colour (buttons, links)').fill('#ffee00');
    await look.getByRole('button', { name: 'Save' }).click();
    await look.getByText(/buttons show white text on the accent colour: #ffee00 gives 1\.\d:1/).waitFor();
    await screenshot(admin, 'branding-page');
  });

  test('the login page at mail.a.test shows the logo, name and colours; mail.b.test does not', async (tc) => {
    const a = await visit('mail.a.test');
    const img = a.page.locator('main.login img.logo');
    await img.waitFor();
    // Decoded by Chromium at its stored size, so it is a real image of our origin.
    assert.deepEqual(await img.evaluate(decoded), [400, 50, true]);
    assert.equal(await a.page.locator('main.login h1').textContent(), XSS);
    assert.equal(await img.getAttribute('alt'), XSS);
    assert.equal(await a.page.evaluate('typeof window.__xss'), 'undefined');
    assert.equal(await a.page.locator('img[src="x"]').count(), 0);
    const cssVar = (p: Page, name: string) =>
      p.evaluate<string>(`getComputedStyle(document.documentElement).getPropertyValue('${name}').trim()`);
    assert.equal(await cssVar(a.page, '--header-bg'), '#0b3d2e');
    assert.equal(await a.page.title(), 'Mailstead');
    await screenshot(a.page, 'branding-login-a');

    const b = await visit('mail.b.test');
    assert.equal(await b.page.locator('img.logo').count(), 0);
    assert.equal(await b.page.locator('main.login h1').textContent(), 'Mailstead');
    assert.equal(await cssVar(b.page, '--header-bg'), '');
    await screenshot(b.page, 'branding-login-b');
    tc.diagnostic(`login page interactive: mail.a.test ${a.ms} ms, mail.b.test ${b.ms} ms`);
  });

  test("the header shows the hostname's logo and name after login; real JPEG and WebP files are read right", async () => {
    for (const [type, w, h] of [
      ['image/jpeg', 120, 30],
      ['image/webp', 300, 40],
    ] as const) {
      const r = await t.admin.put('/branding/scopes/-/logo', {
        image: (await drawn(admin, w, h, type)).toString('base64'),
      });
      assert.deepEqual([r.status, r.body.contentType, r.body.width, r.body.height], [200, type, w, h]);
    }
    await t.admin.put('/branding/scopes/-', { productName: 'Hosting Mail', colours: { accent: '#7a1fa2' } });
    // Branding is read when the page loads: a new hash alone does not load it again.
    await open(admin, `http://localhost:${port}`, 'branding');
    await admin.reload();
    await admin.waitForSelector('main[data-ready="true"]');
    const header = admin.locator('header .brand');
    assert.equal(await header.locator('.brand-name').textContent(), 'Hosting Mail');
    assert.deepEqual(await header.locator('img.logo').evaluate(decoded), [300, 40, true]);
    assert.equal(
      await admin
        .getByRole('button', { name: 'Save' })
        .first()
        .evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor),
      'rgb(122, 31, 162)',
    );
    assert.match(await admin.title(), / — Hosting Mail$/);
    await screenshot(admin, 'branding-header');
  });
});
