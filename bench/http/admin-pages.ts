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
// Environment: WATERFALL=1 prints each page's requests, TRACE=DIR saves Chromium traces, ONLY=PART some pages.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, CDPSession } from 'playwright-core';
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

// Runs in the page. The bench is compiled without the DOM library, hence the small structural types.
// Installed as an init script (before the page's own, and not subject to its CSP) that checks on every
// animation frame and resolves globalThis.interactive with the time. Not Playwright's waitForFunction:
// that first evaluates Playwright's own injected script in the page, tens of milliseconds of the main
// thread in the middle of the load being measured.
interface El {
  id: string;
  dataset: Record<string, string | undefined>;
  focus(): void;
  querySelector(s: string): El | null;
}
const WATCH_INTERACTIVE = () => {
  const g = globalThis as unknown as {
    document: { activeElement: unknown; querySelector(s: string): El | null };
    requestAnimationFrame(f: () => void): void;
    interactive: Promise<number>;
  };
  const interactive = () => {
    const main = g.document.querySelector('main');
    if (!main || (main.id === 'main' && main.dataset.ready !== 'true')) return false;
    const control = main.querySelector(
      'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])',
    );
    if (!control) return false;
    control.focus();
    return g.document.activeElement === control ? performance.now() : false;
  };
  g.interactive = new Promise((resolve) => {
    const check = () => {
      const at = interactive();
      if (at === false) g.requestAnimationFrame(check);
      else resolve(at);
    };
    g.requestAnimationFrame(check);
  });
};

/** What a load spent its time on, read in the page at interactive (Resource Timing, ms since navigation start). */
interface Breakdown {
  /** The HTML received. */
  html: number;
  /** The last script received, and how many script and stylesheet requests the page made. */
  scripts: number;
  assetRequests: number;
  /** The first API request started, and the last one answered. */
  apiStart: number;
  apiEnd: number;
  apiRequests: number;
  /** The slowest API call: its path and its time to first byte, which on loopback is the server's time. */
  slowestApi: string;
  slowestApiMs: number;
  /** main.ts's own measure of the page's render (its API calls and drawing). */
  render: number;
  /** Chromium's main thread of the page: busy in tasks, of that running script (Performance.getMetrics). */
  busy: number;
  script: number;
}
interface Entry {
  name: string;
  initiatorType: string;
  startTime: number;
  requestStart: number;
  responseStart: number;
  responseEnd: number;
}
const BREAKDOWN = () => {
  const perf = performance as unknown as { getEntriesByType(t: string): Entry[] };
  const doc = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document;
  return {
    nav: perf.getEntriesByType('navigation')[0]!.responseEnd,
    resources: perf.getEntriesByType('resource').map((e) => ({
      name: new URL(e.name).pathname,
      start: e.startTime,
      ttfb: e.responseStart - e.requestStart,
      end: e.responseEnd,
    })),
    render: Number(doc.querySelector('main')?.dataset.renderMs ?? 0),
  };
};

async function mainThread(cdp: CDPSession): Promise<{ busy: number; script: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: Array<{ name: string; value: number }>;
  };
  const m = (n: string) => (metrics.find((x) => x.name === n)?.value ?? 0) * 1000;
  return { busy: m('TaskDuration'), script: m('ScriptDuration') };
}

/** Milliseconds from navigation start to interactive, measured in the page (see the header), and where they went. */
async function load(
  ctx: BrowserContext,
  route: string,
  trace?: string,
): Promise<{
  ms: number;
  b: Breakdown;
  waterfall: Array<{ name: string; start: number; ttfb: number; end: number }>;
}> {
  let page = ctx.pages()[0];
  if (!page) {
    page = await ctx.newPage();
    await page.addInitScript(WATCH_INTERACTIVE);
  }
  await page.goto('about:blank');
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  const before = await mainThread(cdp);
  if (trace) await browser.startTracing(page, { path: trace });
  await page.goto(base + (route ? `#/${route}` : ''));
  let timer: NodeJS.Timeout | undefined;
  const answer = (await Promise.race([
    cdp.send('Runtime.evaluate', {
      expression: 'globalThis.interactive',
      awaitPromise: true,
      returnByValue: true,
    }),
    new Promise(
      (_, reject) =>
        (timer = setTimeout(() => reject(new Error(`${route}: not interactive in 60 s`)), 60_000)),
    ),
  ]).finally(() => clearTimeout(timer))) as { result: { value?: number }; exceptionDetails?: unknown };
  if (answer.result.value === undefined) throw new Error(`${route}: ${JSON.stringify(answer)}`);
  const ms = answer.result.value;
  if (trace) await browser.stopTracing();
  const after = await mainThread(cdp);
  await cdp.detach();
  const r = await page.evaluate(BREAKDOWN);
  const assets = r.resources.filter((e) => !e.name.startsWith('/api/'));
  const calls = r.resources.filter((e) => e.name.startsWith('/api/'));
  const slowest = calls.reduce((a, e) => (e.ttfb > a.ttfb ? e : a), {
    name: '-',
    ttfb: 0,
  } as (typeof calls)[0]);
  return {
    ms,
    b: {
      html: r.nav,
      scripts: Math.max(0, ...assets.filter((e) => e.name.endsWith('.js')).map((e) => e.end)),
      assetRequests: assets.length,
      apiStart: Math.min(...calls.map((e) => e.start)),
      apiEnd: Math.max(...calls.map((e) => e.end)),
      apiRequests: calls.length,
      slowestApi: slowest.name.replace('/api/v1', ''),
      slowestApiMs: slowest.ttfb,
      render: r.render,
      busy: after.busy - before.busy,
      script: after.script - before.script,
    },
    waterfall: r.resources,
  };
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
  const apiPaths = new Set<string>();
  const rows: Array<{ name: string; cold: number; warm: number; max: number; b: Breakdown }> = [];
  // ONLY=PART: just the routes containing PART (while working on one page).
  for (const [name, route] of routes.filter(([, r]) => r.includes(process.env.ONLY ?? ''))) {
    const cold: number[] = [];
    const warm: number[] = [];
    const parts: Breakdown[] = [];
    for (let i = 0; i < LOADS; i++) {
      const ctx = await browser.newContext(route ? { storageState: state } : {});
      // TRACE=DIR: Chromium's performance timeline of each page's first cold load, for chrome://tracing or Perfetto.
      const trace =
        process.env.TRACE && i === 0
          ? join(process.env.TRACE, `${route.replace(/[^a-z0-9]+/gi, '_') || 'login'}.json`)
          : undefined;
      const c = await load(ctx, route, trace);
      cold.push(c.ms);
      parts.push(c.b);
      for (const e of c.waterfall) if (e.name.startsWith('/api/')) apiPaths.add(e.name);
      if (process.env.WATERFALL && i === 0) {
        console.log(
          `\n${name}, cold: interactive at ${Math.round(c.ms)} ms; request start → first byte → end`,
        );
        for (const e of c.waterfall)
          console.log(
            `  ${e.name.padEnd(40)} ${e.start.toFixed(0).padStart(5)} → +${e.ttfb.toFixed(0).padStart(4)} → ${e.end.toFixed(0).padStart(5)}`,
          );
      }
      warm.push((await load(ctx, route)).ms);
      await ctx.close();
    }
    // Each column's own median over the cold loads.
    const b = Object.fromEntries(
      (Object.keys(parts[0]!) as Array<keyof Breakdown>).map((k) => [
        k,
        typeof parts[0]![k] === 'number' ? median(parts.map((p) => p[k] as number)) : parts[0]![k],
      ]),
    ) as unknown as Breakdown;
    rows.push({ name, cold: median(cold), warm: median(warm), max: Math.max(...cold, ...warm), b });
  }
  const after = loadavg();
  console.log(`\nnavigation start → interactive, median of ${LOADS} cold and ${LOADS} warm loads (ms)`);
  console.log(`| page | cold | warm | slowest load |\n| --- | ---: | ---: | ---: |`);
  for (const r of rows)
    console.log(`| ${r.name} | ${Math.round(r.cold)} | ${Math.round(r.warm)} | ${Math.round(r.max)} |`);
  console.log(
    `\nwhere the cold loads' time went (median of each column, ms since navigation start; server = time to first byte of the slowest API call; main thread = Chromium's busy and script time)`,
  );
  console.log(
    `| page | HTML | scripts (requests) | API start → end (calls) | slowest API call | server | render | main thread busy / script |\n| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |`,
  );
  const r0 = (x: number) => (Number.isFinite(x) ? Math.round(x) : '-');
  for (const { name, b } of rows)
    console.log(
      `| ${name} | ${r0(b.html)} | ${r0(b.scripts)} (${b.assetRequests}) | ${r0(b.apiStart)} → ${r0(b.apiEnd)} (${b.apiRequests}) | ${b.slowestApi} | ${r0(b.slowestApiMs)} | ${r0(b.render)} | ${r0(b.busy)} / ${r0(b.script)} |`,
    );
  // The server's side alone: each API call the pages made, asked 5 times in a row from here (with the session's
  // cookie), so it is not queued behind the page's other requests.
  const cookie = state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const apiRows: Array<{ path: string; ms: number; bytes: number }> = [];
  for (const path of apiPaths) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const res = await fetch(`http://localhost:${server.port}${path}`, { headers: { cookie } });
      bytes = (await res.arrayBuffer()).byteLength;
      times.push(performance.now() - start);
    }
    apiRows.push({ path: path.replace('/api/v1', ''), ms: median(times), bytes });
  }
  console.log(`\nAPI calls of the pages, median of 5 sequential requests (ms), slowest first`);
  console.log(`| GET /api/v1… | ms | bytes |\n| --- | ---: | ---: |`);
  for (const a of apiRows.sort((x, y) => y.ms - x.ms))
    console.log(`| ${a.path} | ${a.ms.toFixed(1)} | ${a.bytes} |`);
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
