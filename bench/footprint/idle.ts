// Idle footprint: `mailstead serve --init` (what `npm start` runs: every listener, the spam rules,
// the queue manager) against the reference suite Postfix + Dovecot + spamd, both measured as the
// PSS summed over every process of each (see proc-memory.ts), after both have settled.
//
// Mailstead runs on a fresh data dir whose listeners are moved to ephemeral loopback ports (so it
// never collides with another server here); everything else is the default configuration.
// `--stock` turns spam.stock_rules on, SpamAssassin's own rule set, which is what spamd loads.
// The reference Postfix + Dovecot is the one from /work/shared/reference/postfix-dovecot.sh
// (started if it is not running); its per-connection processes (smtpd, lmtp, imap...) left over
// from an earlier run are waited out, so only its resident daemons are counted. spamd is started
// here with its defaults (-L: local tests only, as in spamd-throughput.sh).
//
// Run: flock /tmp/mailstead-bench.lock node dist/bench/footprint/idle.js [--stock] [--settle=SECONDS]
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { initDataDir } from '../../src/cli/init.js';
import { Config } from '../../src/config/config.js';
import { allKeys } from '../../src/config/registry.js';
import { tempDir } from '../../test/support/tmp.js';
import { freePort } from '../../test/queue/server-process.js';
import { mib, sumPss, sumRss, treeMemory, type ProcMemory } from './proc-memory.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REF_DIR = process.env.REF_DIR ?? '/tmp/mailstead-reference';
const REF_SCRIPT = '/work/shared/reference/postfix-dovecot.sh';
// Processes Postfix and Dovecot start for a connection or a delivery and end after an idle time.
const ON_DEMAND =
  /^(smtpd|smtp|lmtp|cleanup|trivial-rewrite|local|virtual|bounce|proxymap|anvil|showq|dovecot\/(lmtp|imap|pop3|imap-login|pop3-login|managesieve|managesieve-login|auth-worker|indexer|indexer-worker|dict))\b/;

/** A new data dir with the default configuration but for `settings` and ephemeral ports. */
export async function prepareDataDir(dir: string, settings: Record<string, string> = {}): Promise<void> {
  await initDataDir(dir, { hostname: 'mail.example.test' });
  const config = Config.open(dir);
  for (const k of allKeys) if (k.key.startsWith('listen.')) config.set(k.key, '127.0.0.1:0');
  for (const [k, v] of Object.entries(settings)) config.set(k, v);
  config.close();
}

/** `mailstead serve --init` on a prepared data dir, resolved once its spam rules are loaded. */
export async function startMailstead(
  dir: string,
  nodeArgs: string[] = [],
): Promise<{ pid: number; output: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, 'bin/mailstead.js', 'serve', '--init', '--data', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`mailstead serve exited (${code}):\n${out}`));
    child.once('exit', onExit);
    const poll = setInterval(() => {
      // the spam rules compile after the listeners are up; idle means they are loaded
      if (/Mailstead is running/.test(out) && /"event":"spam_rules_ready"/.test(out)) {
        clearInterval(poll);
        child.off('exit', onExit);
        resolve();
      }
    }, 100);
  });
  return {
    pid: child.pid!,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function pidFile(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return existsSync(`/proc/${pid}`) ? pid : undefined;
}

async function referenceMasters(): Promise<number[]> {
  const masters = () => [
    pidFile(join(REF_DIR, 'pf/spool/pid/master.pid')),
    pidFile(join(REF_DIR, 'dc/run/master.pid')),
  ];
  if (masters().includes(undefined)) await run('bash', [REF_SCRIPT], { env: { ...process.env, REF_DIR } });
  const pids = masters();
  if (pids.includes(undefined)) throw new Error('the reference Postfix + Dovecot did not start');
  return pids as number[];
}

async function startSpamd(dir: string): Promise<number> {
  const port = await freePort();
  const pidPath = join(dir, 'spamd.pid');
  await run('spamd', [
    '-L',
    '-d',
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-r',
    pidPath,
    '-s',
    join(dir, 'spamd.log'),
  ]);
  for (let i = 0; i < 120; i++) {
    if (
      await run('spamc', ['-p', String(port), '-K']).then(
        () => true,
        () => false,
      )
    )
      return pidFile(pidPath)!;
    await sleep(1000);
  }
  throw new Error('spamd did not answer PING');
}

/** Median of `n` samples one second apart: PSS and RSS sums and the processes of the last one. */
async function settled(
  roots: () => number[],
  n = 10,
): Promise<{ pss: number; rss: number; procs: ProcMemory[] }> {
  const samples: { pss: number; rss: number; procs: ProcMemory[] }[] = [];
  for (let i = 0; i < n; i++) {
    const procs = treeMemory(roots());
    samples.push({ pss: sumPss(procs), rss: sumRss(procs), procs });
    await sleep(1000);
  }
  samples.sort((a, b) => a.pss - b.pss);
  return samples[Math.floor(n / 2)]!;
}

function printProcs(title: string, m: { pss: number; rss: number; procs: ProcMemory[] }): void {
  console.log(`${title}: ${mib(m.pss)} MiB PSS (${mib(m.rss)} MiB RSS summed), ${m.procs.length} processes`);
  for (const p of m.procs)
    console.log(`    ${String(p.pid).padStart(7)} ${mib(p.pss).padStart(7)} PSS  ${p.name}`);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const stock = argv.includes('--stock');
  const settle = Number(/--settle=(\d+)/.exec(argv.join(' '))?.[1] ?? 30);
  const { dir, cleanup } = tempDir('mailstead-footprint-');
  let stopMailstead: (() => Promise<void>) | undefined;
  let spamd: number | undefined;
  try {
    const masters = await referenceMasters();
    const t0 = performance.now();
    await prepareDataDir(dir, stock ? { 'spam.stock_rules': 'yes' } : {});
    const server = await startMailstead(dir);
    stopMailstead = server.stop;
    console.log(
      `mailstead serve --init${stock ? ' (spam.stock_rules = yes)' : ''}: running with its spam rules after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    spamd = await startSpamd(dir);
    // Postfix kills its idle per-connection processes after max_idle (100 s), Dovecot after 60 s.
    for (let waited = 0; waited < 150; waited++) {
      if (!treeMemory(masters).some((p) => ON_DEMAND.test(p.name))) break;
      await sleep(1000);
    }
    await sleep(settle * 1000);
    const mailstead = await settled(() => [server.pid]);
    const postfixDovecot = await settled(() => masters);
    const spamdMem = await settled(() => [spamd!]);
    printProcs('Mailstead', mailstead);
    printProcs('Postfix + Dovecot', postfixDovecot);
    printProcs('spamd', spamdMem);
    const ref = postfixDovecot.pss + spamdMem.pss;
    console.log(
      `idle PSS: Mailstead ${mib(mailstead.pss)} MiB, Postfix + Dovecot + spamd ${mib(ref)} MiB, ratio ${(mailstead.pss / ref).toFixed(2)}`,
    );
  } finally {
    if (spamd) process.kill(spamd, 'SIGTERM');
    await stopMailstead?.();
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
