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
// Both are given as PSS (what the brief's goal is stated in) and as the distinct pages they hold
// ("alone"): PSS shares the node binary's pages with every other node process on this machine,
// which on a dedicated mail server Mailstead would hold by itself.
//
// Run: flock /tmp/mailstead-bench.lock node dist/bench/footprint/idle.js [--stock] [--at=10,30,60,120,180]
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../../test/support/tmp.js';
import { freePort } from '../../test/queue/server-process.js';
import { prepareDataDir, startMailstead } from './mailstead-process.js';
import { distinctPages, mib, sumPss, sumRss, treeMemory, type ProcMemory } from './proc-memory.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REF_DIR = process.env.REF_DIR ?? '/tmp/mailstead-reference';
const REF_SCRIPT = '/work/shared/reference/postfix-dovecot.sh';
// Processes Postfix and Dovecot start for a connection or a delivery and end after an idle time.
const ON_DEMAND =
  /^(smtpd|smtp|lmtp|cleanup|trivial-rewrite|local|virtual|bounce|proxymap|anvil|showq|dovecot\/(lmtp|imap|pop3|imap-login|pop3-login|managesieve|managesieve-login|auth-worker|indexer|indexer-worker|dict))\b/;

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

interface Measure {
  pss: number;
  rss: number;
  /** distinct physical pages, KiB: what the processes would weigh alone */
  alone: number;
  procs: ProcMemory[];
}

/** The median by PSS of `n` samples one second apart. */
async function settled(roots: () => number[], n = 5): Promise<Measure> {
  const samples: Measure[] = [];
  for (let i = 0; i < n; i++) {
    const procs = treeMemory(roots());
    samples.push({
      pss: sumPss(procs),
      rss: sumRss(procs),
      alone: distinctPages(procs.map((p) => p.pid)),
      procs,
    });
    await sleep(1000);
  }
  samples.sort((a, b) => a.pss - b.pss);
  return samples[Math.floor(n / 2)]!;
}

const figures = (m: Measure) =>
  `${mib(m.pss)} MiB PSS, ${mib(m.alone)} MiB alone (${mib(m.rss)} MiB RSS summed)`;

function printProcs(title: string, m: Measure): void {
  console.log(`${title}: ${figures(m)}, ${m.procs.length} processes`);
  for (const p of m.procs)
    console.log(`    ${String(p.pid).padStart(7)} ${mib(p.pss).padStart(7)} PSS  ${p.name}`);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const stock = argv.includes('--stock');
  // when Mailstead is measured, in seconds after its rules are ready: V8 gives back the memory
  // start-up used only once it sees the process idle, so one moment would not tell the story
  const at = (/--at=([\d,]+)/.exec(argv.join(' '))?.[1] ?? '10,30,60,120,180').split(',').map(Number);
  const { dir, cleanup } = tempDir('mailstead-footprint-');
  let stopMailstead: (() => Promise<void>) | undefined;
  let spamd: number | undefined;
  try {
    const masters = await referenceMasters();
    const t0 = performance.now();
    await prepareDataDir(dir, stock ? { 'spam.stock_rules': 'yes' } : {});
    const server = await startMailstead(dir);
    stopMailstead = server.stop;
    const ready = performance.now();
    console.log(
      `mailstead serve --init${stock ? ' (spam.stock_rules = yes)' : ''}: running with its spam rules after ${((ready - t0) / 1000).toFixed(1)} s`,
    );
    spamd = await startSpamd(dir);
    const timeline: [number, Measure][] = [];
    for (const t of at) {
      await sleep(Math.max(0, ready + t * 1000 - performance.now()));
      const m = await settled(() => [server.pid], 3);
      timeline.push([t, m]);
      console.log(`  Mailstead ${t} s after ready: ${figures(m)}`);
    }
    // Postfix ends its idle per-connection processes after max_idle (100 s), Dovecot after 60 s.
    for (let waited = 0; waited < 150; waited++) {
      if (!treeMemory(masters).some((p) => ON_DEMAND.test(p.name))) break;
      await sleep(1000);
    }
    const postfixDovecot = await settled(() => masters);
    const spamdMem = await settled(() => [spamd!]);
    const [last, mailstead] = timeline.at(-1)!;
    printProcs(`Mailstead (${last} s after ready)`, mailstead);
    printProcs('Postfix + Dovecot', postfixDovecot);
    printProcs('spamd', spamdMem);
    const ref = { pss: postfixDovecot.pss + spamdMem.pss, alone: postfixDovecot.alone + spamdMem.alone };
    console.log(
      `idle PSS: Mailstead ${mib(mailstead.pss)} MiB, Postfix + Dovecot + spamd ${mib(ref.pss)} MiB, ratio ${(mailstead.pss / ref.pss).toFixed(2)}`,
    );
    console.log(
      `idle alone: Mailstead ${mib(mailstead.alone)} MiB, Postfix + Dovecot + spamd ${mib(ref.alone)} MiB, ratio ${(mailstead.alone / ref.alone).toFixed(2)}`,
    );
  } finally {
    if (spamd) process.kill(spamd, 'SIGTERM');
    await stopMailstead?.();
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
