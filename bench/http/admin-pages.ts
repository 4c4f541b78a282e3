// Every main page of the admin UI with 10,000 accounts, opened in headless Chromium as the server admin.
//
// "Interactive" here: the time from navigation start (performance.timeOrigin of the new document) until
// the page's render finished (main carries data-ready, set by main.ts after the page's data is drawn)
// AND the first control inside main (link, button, field) takes focus when focus() is called on it.
// It is read inside the page with performance.now(), checked on every animation frame.
// Cold: a new browser context (empty HTTP cache) holding only the session cookie.
// Warm: the same page loaded again in that context (cache filled, modules revalidated or cached).
//
// Usage: node dist/bench/http/admin-pages.js [LOADS] (default 5; the median of LOADS cold and LOADS warm loads)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { openApp } from '../../src/app.js';
import { Config } from '../../src/config/config.js';
import { initDataDir } from '../../src/cli/init.js';
import { insertAccount } from '../../src/store/directory/account-repo.js';
import { launchBrowser } from '../../test/web/browser.js';
import { serveForBench } from '../serve-for-bench.js';

const LOADS = Number(process.argv[2] ?? 5);
const ACCOUNTS = 10_000;
const DOMAINS = 10;
const dir = mkdtempSync(join(tmpdir(), 'mailstead-bench-admin-'));

const init = await initDataDir(dir, { hostname: 'mail.example.test' });
const config = Config.open(dir);
for (const k of ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'managesieve'])
  config.set(`listen.${k}`, '');
config.set('listen.http', '127.0.0.1:0');
config.set('log.level', 'warn');
config.close();

// One account through the directory service (password hashing, checks), then its row copied: hashing
// 10,000 passwords would take minutes and is not what the pages do.
let t0 = performance.now();
const app = await openApp(dir);
const domainIds: number[] = [];
for (let d = 0; d < DOMAINS; d++) domainIds.push((await app.directory.addDomain({ name: `d${d}.test` })).id);
const first = await app.directory.addAccount({ address: 'u00000@d0.test', password: 'bench-password-1' });
const hash = (await app.store.db.get<{ password_hash: string }>(
  'SELECT password_hash FROM accounts WHERE id = ?',
  [first.id],
))!.password_hash;
for (let d = 0; d < DOMAINS; d++)
  await app.store.db.tx(async (db) => {
    for (let i = d === 0 ? 1 : 0; i < ACCOUNTS / DOMAINS; i++)
      await insertAccount(db, {
        address: `u${String(i).padStart(5, '0')}@d${d}.test`,
        domainId: domainIds[d]!,
        displayName: `User ${i} of d${d}`,
        passwordHash: hash,
        role: 'user',
        enabled: true,
        quotaBytes: null,
        quotaMessages: null,
        receiveLocalOnly: false,
        webmail: true,
        groupId: null,
        forwardTo: [],
        forwardKeepCopy: true,
      });
  });
for (let g = 0; g < 20; g++)
  await app.directory.addGroup({ name: `group${g}`, domain: `d${g % DOMAINS}.test` });
for (let a = 0; a < 200; a++)
  await app.directory.addAlias({
    address: `alias${a}@d${a % DOMAINS}.test`,
    members: [`u00001@d${a % DOMAINS}.test`],
  });
const total = (await app.store.db.get<{ n: number }>('SELECT count(*) AS n FROM accounts'))!.n;
await app.close();
console.log(`${total} accounts in ${DOMAINS} domains, set up in ${Math.round(performance.now() - t0)} ms`);

const server = await serveForBench(dir, 'http');
// localhost: the browser keeps the Secure session cookie from http://localhost only.
const base = `http://localhost:${server.port}/admin/`;
const user = 'u00001@d0.test';
const routes: Array<[string, string]> = [
  ['login (no session)', ''],
  ['dashboard', 'dashboard'],
  ['domains', 'domains'],
  ['accounts (all)', 'accounts'],
  ['accounts of a domain', 'accounts/d0.test'],
  ['account edit', `account/${user}`],
  ['groups', 'groups'],
  ['aliases', 'aliases'],
  ['shared mailboxes', 'shared'],
  ['folders / ACL', `folders/${user}`],
  ['filters', `filters/${user}`],
  ['sieve', `sieve/${user}`],
  ['MTA settings', 'settings/mta'],
  ['spam settings', 'settings/spam'],
  ['antivirus', 'antivirus'],
  ['queue', 'queue'],
  ['trace', 'trace'],
  ['logs', 'logs'],
  ['DKIM', 'dkim'],
  ['branding', 'branding'],
  ['translations', 'translations/en'],
];

// Runs in the page. The bench is compiled without the DOM library, hence the small structural type.
// A function, not a string: the admin UI's CSP forbids eval of strings.
interface El {
  id: string;
  dataset: Record<string, string | undefined>;
  focus(): void;
  querySelector(s: string): El | null;
}
const INTERACTIVE = () => {
  const doc = (
    globalThis as unknown as { document: { activeElement: unknown; querySelector(s: string): El | null } }
  ).document;
  const main = doc.querySelector('main');
  if (!main || (main.id === 'main' && main.dataset.ready !== 'true')) return false;
  const control = main.querySelector(
    'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])',
  );
  if (!control) return false;
  control.focus();
  return doc.activeElement === control ? performance.now() : false;
};

/** Milliseconds from navigation start to interactive, measured in the page (see the header). */
async function load(ctx: BrowserContext, route: string): Promise<number> {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto('about:blank');
  await page.goto(base + (route ? `#/${route}` : ''));
  const ms = await page.waitForFunction(INTERACTIVE, undefined, { polling: 'raf', timeout: 60_000 });
  return (await ms.jsonValue()) as number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const browser = await launchBrowser();
try {
  t0 = performance.now();
  const loginCtx = await browser.newContext();
  const p = await loginCtx.newPage();
  await p.goto(base);
  await p.getByLabel('Email address').fill(init.adminAddress);
  await p.getByLabel('Password').fill(init.adminPassword);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.waitForSelector('main[data-ready="true"]');
  const state = await loginCtx.storageState();
  await loginCtx.close();

  const before = loadavg();
  const rows: Array<{ name: string; cold: number; warm: number; max: number }> = [];
  for (const [name, route] of routes) {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const ctx = await browser.newContext(route ? { storageState: state } : {});
      cold.push(await load(ctx, route));
      warm.push(await load(ctx, route));
      await ctx.close();
    }
    rows.push({ name, cold: median(cold), warm: median(warm), max: Math.max(...cold, ...warm) });
  }
  const after = loadavg();
  console.log(`\nnavigation start → interactive, median of ${LOADS} cold and ${LOADS} warm loads (ms)`);
  console.log(`| page | cold | warm | slowest load |\n| --- | ---: | ---: | ---: |`);
  for (const r of rows)
    console.log(`| ${r.name} | ${Math.round(r.cold)} | ${Math.round(r.warm)} | ${Math.round(r.max)} |`);
  const over = rows.filter((r) => Math.max(r.cold, r.warm) >= 1000).map((r) => r.name);
  console.log(`\nover 1 s (median): ${over.length ? over.join(', ') : 'none'}`);
  console.log(
    `load average before ${before.map((x) => x.toFixed(1)).join(' ')}, after ${after.map((x) => x.toFixed(1)).join(' ')}` +
      `; run took ${Math.round((performance.now() - t0) / 1000)} s`,
  );
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
