import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SYSTEM } from '../../src/directory/types.js';
import { BrandingService } from '../../src/http/branding/branding.js';
import { openDirectory } from '../directory/support.js';
import { forEachBackend } from '../store/backends.js';
import { gifImage, pngImage } from '../support/images.js';

forEachBackend('branding store', (backend) => {
  async function setup() {
    const { directory, db } = await openDirectory(backend);
    await directory.addDomain({ name: 'a.test' });
    await directory.addDomain({ name: 'sub.a.test' });
    await directory.addAccount({ address: 'dom@a.test', password: 'pw-pw-pw-pw', role: 'domain-admin' });
    const domainAdmin = { kind: 'account' as const, account: (await directory.getAccount('dom@a.test'))! };
    let now = 1000;
    return { db, domainAdmin, branding: new BrandingService(db, directory, () => ++now) };
  }

  it('keeps fields it was not given, stores the logo bytes as sent, and merges scopes per field', async () => {
    const { branding } = await setup();
    await branding.update(
      '-',
      { productName: 'Hosting', colours: { accent: '#1F5FBF', header: '#16325c' } },
      SYSTEM,
    );
    await branding.update('a.test', { colours: { header: '#202020' } }, SYSTEM);
    await branding.update('a.test', { productName: 'A Corp' }, SYSTEM);
    const png = pngImage(400, 50);
    assert.deepEqual(
      { ...(await branding.setLogo('mail.a.test', png, SYSTEM)), hash: undefined },
      { contentType: 'image/png', width: 400, height: 50, bytes: png.length, hash: undefined },
    );
    const a = await branding.get('a.test', SYSTEM);
    assert.deepEqual(
      [a.productName, a.colours],
      ['A Corp', { accent: null, header: '#202020', headerText: null }],
    );

    const host = await branding.effective('mail.a.test');
    assert.equal(host.productName, 'A Corp');
    assert.deepEqual(host.colours, { accent: '#1f5fbf', header: '#202020', headerText: null });
    assert.match(host.logo!.url, /^\/admin\/brand\/logo\/mail\.a\.test\?v=[0-9a-f]{16}$/);
    assert.deepEqual((await branding.logo('mail.a.test'))!.image, png);

    const other = await branding.effective('www.b.test');
    assert.deepEqual([other.productName, other.logo, other.colours.header], ['Hosting', null, '#16325c']);
    assert.match(await branding.stylesheet('www.a.test'), /--accent: #1f5fbf; --header-bg: #202020;/);

    // A replaced logo is a new URL; null clears one field and leaves the rest.
    await branding.setLogo('mail.a.test', gifImage(100, 20), SYSTEM);
    const next = await branding.effective('mail.a.test');
    assert.notEqual(next.logo!.url, host.logo!.url);
    assert.equal(next.logo!.contentType, 'image/gif');
    await branding.update('a.test', { productName: null }, SYSTEM);
    assert.equal((await branding.effective('mail.a.test')).productName, 'Hosting');
    assert.equal(await branding.removeLogo('mail.a.test', SYSTEM), true);
    assert.equal((await branding.effective('mail.a.test')).logo, null);
    assert.equal(await branding.remove('a.test', SYSTEM), true);
    assert.deepEqual(
      (await branding.list(SYSTEM)).map((b) => b.scope),
      ['-', 'mail.a.test'],
    );
  });

  it('lets a domain admin brand the domain and its hostnames, not a domain below it or the server', async () => {
    const { branding, domainAdmin } = await setup();
    await branding.update('a.test', { productName: 'A' }, domainAdmin);
    await branding.update('webmail.a.test', { productName: 'A web' }, domainAdmin);
    for (const scope of ['-', 'sub.a.test', 'mail.sub.a.test', 'b.test', 'a.test.evil.example'])
      await assert.rejects(
        branding.update(scope, { productName: 'x' }, domainAdmin),
        /dom@a\.test may not brand/,
      );
    await branding.update('sub.a.test', { productName: 'Sub' }, SYSTEM);
    assert.deepEqual(
      (await branding.list(domainAdmin)).map((b) => b.scope),
      ['a.test', 'webmail.a.test'],
    );
  });

  it('refuses what it cannot show with an error naming the field', async () => {
    const { branding } = await setup();
    const field = (key: string, re: RegExp) => (e: unknown) =>
      (e as { key: string }).key === key && re.test(String(e));
    await assert.rejects(
      branding.setLogo('-', pngImage(401, 50), SYSTEM),
      field('image', /401×50 pixels; at most 400×50/),
    );
    await assert.rejects(branding.setLogo('-', pngImage(40, 51), SYSTEM), /40×51 pixels/);
    await assert.rejects(
      branding.update('-', { colours: { accent: 'red' } }, SYSTEM),
      field('accent', /#rrggbb/),
    );
    await assert.rejects(
      branding.update('-', { colours: { accent: '#1f5fbf;}body{x:1' } }, SYSTEM),
      field('accent', /not a colour/),
    );
    await assert.rejects(
      branding.update('-', { colours: { header: '#ffffff', headerText: '#eeeeee' } }, SYSTEM),
      field('headerText', /contrast of 1\.2:1; at least 4\.5:1/),
    );
    await assert.rejects(
      branding.update('-', { colours: { accent: '#ffff00' } }, SYSTEM),
      field('accent', /darker/),
    );
    await assert.rejects(
      branding.update('-', { productName: 'x'.repeat(65) }, SYSTEM),
      field('productName', /64/),
    );
    await assert.rejects(branding.update('localhost', { productName: 'x' }, SYSTEM), /not a branding scope/);
    assert.deepEqual(await branding.list(SYSTEM), []);
  });
});
