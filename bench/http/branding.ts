// Branding on page load: what each login page asks for before it can draw (GET /api/v1/branding,
// /admin/brand.css, the logo), timed against /healthz as the floor of one HTTP round trip, then
// the login page at a branded hostname opened in Chromium until its form is usable.
// Usage: node dist/bench/http/branding.js [REQUESTS] (default 2000)
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { initDataDir } from '../../src/cli/init.js';
import { pngImage } from '../../test/support/images.js';
import { launchBrowser } from '../../test/web/browser.js';
import { serveForBench } from '../serve-for-bench.js';

const requests = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'mailstead-bench-branding-'));
const cli = async (...args: string[]) => {
  const code = await runCli([...args, '--data', dir], { out: () => undefined, err: console.error });
  if (code !== 0) throw new Error(`mailstead ${args.join(' ')} failed`);
};
await initDataDir(dir, { hostname: 'mail.example.test' });
for (const k of ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'managesieve'])
  await cli('config', 'set', `listen.${k}`, '');
await cli('config', 'set', 'listen.http', '127.0.0.1:0');
await cli('domain', 'add', 'a.test');
await cli('branding', 'set', '-', '--name', 'Hosting', '--accent', '#1f5fbf');
await cli('branding', 'set', 'a.test', '--name', 'A Corp', '--header', '#0b3d2e', '--header-text', '#ffffff');
writeFileSync(join(dir, 'logo.png'), pngImage(400, 50));
await cli('branding', 'logo', 'mail.a.test', join(dir, 'logo.png'));
const server = await serveForBench(dir, 'http');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(path: string, host = 'mail.a.test'): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: server.port, path, agent, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    })
      .on('error', reject)
      .end();
  });
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
async function timed(what: string, path: string): Promise<void> {
  for (let i = 0; i < 50; i++) await get(path); // warm-up
  const ms: number[] = [];
  const start = performance.now();
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    if ((await get(path)) !== 200) throw new Error(`${path} did not answer 200`);
    ms.push(performance.now() - t);
  }
  const total = performance.now() - start;
  ms.sort((a, b) => a - b);
  console.log(
    `${what.padEnd(28)} p50 ${pct(ms, 50).toFixed(2)} ms  p99 ${pct(ms, 99).toFixed(2)} ms  ${Math.round((requests / total) * 1000)} req/s (one connection)`,
  );
}

try {
  console.log(`${requests} sequential requests each, Host: mail.a.test (three scopes stored)`);
  await timed('GET /healthz', '/healthz');
  await timed('GET /api/v1/branding', '/api/v1/branding');
  await timed('GET /admin/brand.css', '/admin/brand.css');
  await timed('GET /admin/brand/logo/…', '/admin/brand/logo/mail.a.test');

  const browser = await launchBrowser(['--host-resolver-rules=MAP *.test 127.0.0.1']);
  try {
    // The same page at a hostname with no branding of its own: what branding adds to a load.
    for (const [host, logo] of [
      ['mail.a.test', true],
      ['mail.b.test', false],
    ] as const) {
      const loads: number[] = [];
      for (let i = 0; i < 10; i++) {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        const t = performance.now();
        await page.goto(`http://${host}:${server.port}/admin/`);
        if (logo) await page.locator('main.login img.logo').waitFor();
        await page.getByRole('button', { name: 'Log in' }).waitFor();
        loads.push(performance.now() - t);
        await ctx.close();
      }
      loads.sort((a, b) => a - b);
      console.log(
        `Chromium: login page at ${host} usable${logo ? ' with its logo' : ''}, 10 cold loads: p50 ${pct(loads, 50).toFixed(0)} ms, max ${loads.at(-1)!.toFixed(0)} ms`,
      );
    }
  } finally {
    await browser.close();
  }
} finally {
  agent.destroy();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
