import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { connect } from 'node:net';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchBrowser, open, screenshot } from './browser.js';

/** Submits a form found by its heading (legend) text. */
async function submitForm(
  page: Page,
  legend: string,
  fill: Record<string, string | boolean>,
  button?: string,
): Promise<void> {
  const f = page.locator('form', { has: page.locator('h3', { hasText: legend }) });
  for (const [label, value] of Object.entries(fill)) {
    const control = f.getByLabel(label, { exact: true });
    if (typeof value === 'boolean') await control.setChecked(value);
    else if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
    else await control.fill(value);
  }
  await f.getByRole('button', { name: button ?? 'Create' }).click();
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('admin UI in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  before(async () => {
    server = await startTestServer();
    // localhost, not 127.0.0.1: browsers accept the Secure session cookie from http://localhost.
    base = `http://localhost:${server.port('http')}`;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('an admin logs in', async () => {
    await page.goto(`${base}/admin/`);
    await screenshot(page, 'login');
    await page.getByLabel('Email address').fill(server.adminAddress);
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForSelector('main[data-ready="true"]');
    assert.equal(await page.locator('h1').textContent(), 'Dashboard');
    assert.ok(await page.getByRole('cell', { name: 'smtp', exact: true }).isVisible());
    await screenshot(page, 'dashboard');
  });

  test('stops and starts a service from the dashboard; spam and virus counts are shown', async () => {
    const pop3 = server.port('pop3');
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'pop3', exact: true }) });
    await row.getByRole('button', { name: 'Stop' }).click();
    await page.locator('main[data-ready="true"]').waitFor();
    await row.getByText('stopped', { exact: true }).waitFor();
    await assert.rejects(
      new Promise((resolve, reject) => connect(pop3, '127.0.0.1').on('connect', resolve).on('error', reject)),
      /ECONNREFUSED/,
    );
    await screenshot(page, 'dashboard-service-stopped');
    await row.getByRole('button', { name: 'Start' }).click();
    await row.getByText('running', { exact: true }).waitFor();
    assert.ok(server.listeners.some((l) => l.service === 'pop3'));
    for (const k of ['ham', 'spam', 'virus'])
      assert.match((await page.locator(`dd[data-count="${k}"]`).textContent()) ?? '', /^\d+$/);
    assert.equal(await page.locator('section.scans svg.graph polyline').count(), 3);
  });

  test('creates a domain', async () => {
    await open(page, base, 'domains');
    await submitForm(page, 'Add a domain', { Domain: 'ui.test', 'Maximum accounts': '50' });
    await page.getByRole('link', { name: 'ui.test' }).waitFor();
    assert.equal((await server.app.directory.getDomain('ui.test')).maxAccounts, 50);
    await screenshot(page, 'domains');
  });

  test('creates accounts, sets quota and privileges', async () => {
    for (const name of ['alice', 'bob']) {
      await open(page, base, 'accounts/ui.test');
      await submitForm(page, 'Create an account', {
        Address: `${name}@ui.test`,
        'Display name': name,
        Password: 'pw-' + name,
        'Quota (MB, empty for unlimited)': '100',
      });
      await page.locator('h1', { hasText: `${name}@ui.test` }).waitFor();
    }
    await submitForm(page, 'Settings and privileges', { 'Receive only local mail': true }, 'Save');
    await page.getByText('Saved.').first().waitFor();
    const bob = (await server.app.directory.getAccount('bob@ui.test'))!;
    assert.equal(bob.quotaBytes, 100 * 1024 * 1024);
    assert.equal(bob.receiveLocalOnly, true);
    await screenshot(page, 'account');
    await open(page, base, 'accounts/ui.test');
    await screenshot(page, 'accounts');
  });

  test('creates an alias with the Create Alias form', async () => {
    await open(page, base, 'aliases');
    await submitForm(page, 'Create Alias', {
      'Alias address': 'team@ui.test',
      Members: 'alice@ui.test\nbob@ui.test',
      Owners: 'alice@ui.test',
    });
    await page.getByRole('cell', { name: 'team@ui.test' }).waitFor();
    const alias = await server.app.directory.getAlias('team@ui.test');
    assert.deepEqual([...alias.members].sort(), ['alice@ui.test', 'bob@ui.test']);
    await screenshot(page, 'aliases');
  });

  test('creates a folder and shares it with the ACL matrix', async () => {
    await open(page, base, 'folders/alice@ui.test');
    await submitForm(page, 'Create a folder', { Folder: 'Projects', Type: 'calendar' });
    await page.locator('.acl').waitFor();
    const acl = page.locator('.acl');
    await acl.getByLabel('Add a user or group').fill('bob@ui.test');
    await acl.getByRole('button', { name: 'Add' }).click();
    await acl.getByLabel('bob@ui.test: write').check();
    await acl.getByRole('button', { name: 'Save access control' }).click();
    await acl.locator(':scope > p[role="status"]', { hasText: 'Saved.' }).waitFor();
    const alice = await server.app.mailbox.actorFor(
      (await server.app.directory.getAccount('alice@ui.test'))!.id,
    );
    assert.deepEqual(await server.app.mailbox.acl.get(alice, 'Projects'), [
      { identifier: 'bob@ui.test', rights: 'lrw' },
    ]);
    await screenshot(page, 'folder-acl');
    // Bob sees Alice's folder over real IMAP.
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: server.port('imap'),
      secure: false,
      auth: { user: 'bob@ui.test', pass: 'pw-bob' },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    await imap.connect();
    const names = (await imap.list()).map((m) => m.path);
    await imap.logout();
    assert.ok(
      names.some((n) => n.endsWith('alice@ui.test/Projects')),
      names.join(', '),
    );
  });

  test('creates a shared mailbox in one form', async () => {
    await open(page, base, 'shared');
    await page.getByLabel('Mailbox address').fill('info@ui.test');
    const row = page.locator('tr.grant').first();
    await row.getByLabel('User or @group').fill('alice@ui.test');
    await row.getByLabel('Read').check();
    await row.getByLabel('Send as').check();
    await screenshot(page, 'shared-mailbox');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('h1', { hasText: 'info@ui.test' }).waitFor();
    const alice = (await server.app.directory.getAccount('alice@ui.test'))!;
    assert.equal(await server.app.directory.mayUseAddress(alice, 'info@ui.test'), 'send-as');
  });

  test('adds a filter rule that files mail, proven by SMTP in and IMAP out', async () => {
    await open(page, base, 'filters/alice@ui.test');
    await submitForm(
      page,
      'New Mail Filter Rule',
      {
        'Rule name': 'Invoices',
        Field: 'subject',
        Comparison: 'contains',
        Value: 'invoice',
        Action: 'fileinto',
        'Folder, address, message or flags': 'Projects',
      },
      'Add',
    );
    await page.getByRole('cell', { name: 'Invoices' }).waitFor();
    await screenshot(page, 'filters');
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.port('smtp'),
      secure: false,
      ignoreTLS: true,
    });
    await smtp.sendMail({
      from: 'someone@example.org',
      to: 'alice@ui.test',
      subject: 'Your invoice 42',
      text: 'Pay me.',
    });
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: server.port('imap'),
      secure: false,
      auth: { user: 'alice@ui.test', pass: 'pw-alice' },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    await imap.connect();
    const status = await until('the filed message', async () => {
      const s = await imap.status('Projects', { messages: true });
      return s && s.messages ? s : undefined;
    });
    await imap.logout();
    assert.equal(status && status.messages, 1);
  });

  test('traces the filed message from SMTP to its delivery', async () => {
    await open(page, base, 'trace');
    await submitForm(
      page,
      'Find a message',
      { Recipient: 'alice@ui.test', 'Within the last': '1 hour' },
      'Trace',
    );
    const trace = page.locator('section.trace').first();
    await trace.locator('li.stage-delivered', { hasText: 'alice@ui.test' }).waitFor();
    assert.deepEqual(await trace.locator('.timeline strong').allTextContents(), [
      'received',
      'scanned',
      'delivered',
    ]);
    await screenshot(page, 'trace');
  });

  test('the raw Sieve editor checks as you type, marks the bad line, and saves a good script', async () => {
    await open(page, base, 'sieve/alice@ui.test');
    await page.getByLabel('Script name').fill('expert');
    const script = page.getByLabel('Script', { exact: true });
    await script.fill('require ["fileinto"];\nif true {\n  fileinto Projects;\n}\n');
    await page.locator('#sieve-problem', { hasText: /line 3, column/ }).waitFor();
    assert.equal(await page.locator('.gutter .bad').textContent(), '3\n');
    assert.equal(await script.getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'sieve-error');
    await script.fill('require ["fileinto"];\nif true {\n  fileinto "Projects";\n}\n');
    await page.locator('#sieve-problem', { hasText: 'No errors.' }).waitFor();
    assert.equal(await page.locator('.gutter .bad').count(), 0);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'expert' }).waitFor();
    const alice = (await server.app.directory.getAccount('alice@ui.test'))!;
    assert.match(await server.app.sieve.getScript(alice.id, 'expert'), /fileinto "Projects"/);
    await screenshot(page, 'sieve');
  });

  test('changes spam and MTA settings; an invalid value is shown beside its field', async () => {
    await open(page, base, 'settings/spam');
    const score = page.locator('form', { has: page.getByLabel('spam.required_score', { exact: true }) });
    await score.getByLabel('spam.required_score').fill('4.5');
    await score.getByRole('button', { name: 'Save' }).click();
    await score.getByText('Saved.').waitFor();
    assert.equal(server.app.config.get('spam.required_score'), 4.5);
    await screenshot(page, 'settings-spam');
    await open(page, base, 'settings/mta');
    const size = page.locator('form', { has: page.getByLabel('smtp.max_message_size', { exact: true }) });
    await size.getByLabel('smtp.max_message_size').fill('lots');
    await size.getByRole('button', { name: 'Save' }).click();
    await size.locator('.error', { hasText: 'not a size' }).waitFor();
    await size.getByLabel('smtp.max_message_size').fill('1M');
    await size.getByRole('button', { name: 'Save' }).click();
    await size.getByText('Saved.').waitFor();
    assert.equal(server.app.config.get('smtp.max_message_size'), 1024 * 1024);
    await screenshot(page, 'settings-mta');
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.port('smtp'),
      secure: false,
      ignoreTLS: true,
    });
    await assert.rejects(
      smtp.sendMail({
        from: 'someone@example.org',
        to: 'alice@ui.test',
        subject: 'big',
        text: 'x'.repeat(2 * 1024 * 1024),
      }),
      /552|size/i,
    );
  });

  test('the antivirus page shows clamd off when no address is set', async () => {
    await open(page, base, 'antivirus');
    assert.equal(await page.locator('dl.facts').getAttribute('data-state'), 'off');
    await page.getByText('not set: virus scanning is off').waitFor();
    await screenshot(page, 'antivirus');
  });

  test('queue, logs, DKIM and translations pages render', async () => {
    await open(page, base, 'queue');
    await submitForm(
      page,
      'Send a test message',
      { From: server.adminAddress, To: 'nobody@unreachable.invalid' },
      'Send',
    );
    await page.getByText('Saved.').waitFor();
    await open(page, base, 'queue');
    await screenshot(page, 'queue');
    await open(page, base, 'logs');
    await screenshot(page, 'logs');
    await open(page, base, 'dkim');
    await submitForm(page, 'Generate a key', { Domain: 'ui.test', Selector: 'ui1' }, 'Generate a key');
    await page.getByRole('cell', { name: 'ui1', exact: true }).waitFor();
    assert.equal((await server.app.dkim.list('ui.test'))[0]?.selector, 'ui1');
    await screenshot(page, 'dkim');
    await open(page, base, 'translations/en');
    const f = page.locator('form', { has: page.getByLabel('aliases.create', { exact: true }) });
    await f.getByLabel('aliases.create').fill('New distribution list');
    await f.getByRole('button', { name: 'Save' }).click();
    await f.getByText('Saved.').waitFor();
    await page.reload();
    await open(page, base, 'aliases');
    await page.locator('h3', { hasText: 'New distribution list' }).waitFor();
  });

  test('XSS payloads in user-controlled fields are shown as text and never run', async () => {
    const payload = '<img src=x onerror="window.__xss=1">';
    await server.app.directory.addAccount({
      address: 'evil@ui.test',
      password: 'pw',
      displayName: payload,
      forwardTo: [],
    });
    await server.app.directory.addAlias({
      address: 'evil-list@ui.test',
      members: ['"<script>window.__xss=2</script>"@ui.test'].filter(() => false).concat(['alice@ui.test']),
      owners: [],
    });
    await open(page, base, 'accounts/ui.test');
    await page.getByRole('cell', { name: payload }).waitFor();
    await open(page, base, 'account/evil@ui.test');
    await open(page, base, 'filters/alice@ui.test');
    await submitForm(
      page,
      'New Mail Filter Rule',
      {
        'Rule name': '<svg onload="window.__xss=3">',
        Value: '"><script>window.__xss=4</script>',
        Action: 'keep',
      },
      'Add',
    );
    await page.getByRole('cell', { name: '<svg onload="window.__xss=3">' }).waitFor();
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.equal(await page.locator('img[src="x"], svg[onload]').count(), 0);
  });
});
