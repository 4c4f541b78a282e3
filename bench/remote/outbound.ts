/**
 * Outbound delivery throughput: COUNT messages of 100 recipients across 10 domains (10 each),
 * relayed to receiving MTAs on loopback, by Mailstead (MX found through a DNS server on loopback)
 * and by Postfix from Debian's packages (its own instance in a temp dir; transport_maps to the
 * same MTAs, since Postfix cannot be pointed at a DNS server on a custom port), in the same run.
 * Not a test: `npm run build && flock /tmp/mailstead-bench.lock node dist/bench/remote/outbound.js [COUNT]`.
 * REFERENCE=off skips Postfix (which needs root); QUEUE_CONCURRENCY sets Mailstead's queue.concurrency.
 * SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=DIR") go to the server's node.
 * Besides rates, each server's CPU time per message is reported (Mailstead's process; Postfix's
 * master with all its daemons): on a shared, loaded machine it moves less than the rates do.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, prepareDataDir, spawnServer, stopGracefully } from '../../test/queue/server-process.js';
import { tempDir } from '../../test/support/tmp.js';
import { processCpu, processTreeCpu } from '../proc-cpu.js';
import { CountingSinks, destinationDns, inject, type Destination } from './parts.js';

/** Node options for the server process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const SERVER_NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const COUNT = Number(process.argv[2] ?? 200);
const SESSIONS = Number(process.env.SESSIONS ?? 10);
const SIZE = Number(process.env.SIZE ?? 4096);
const DOMAINS = Array.from({ length: 10 }, (_, i) => `d${i}.bench.test`);
const rcpts = (i: number) => DOMAINS.flatMap((d) => Array.from({ length: 10 }, (_, j) => `u${j}.${i}@${d}`));

interface Run {
  accepted: number;
  delivered: number;
  /** Server CPU milliseconds per message, from first connection to last recipient delivered. */
  cpuMs: number;
}

async function measure(port: number, sinks: CountingSinks, cpu: () => number): Promise<Run> {
  const before = sinks.recipients;
  const cpu0 = cpu();
  const t0 = performance.now();
  await inject(port, COUNT, SESSIONS, rcpts, SIZE);
  const t1 = performance.now();
  await sinks.waitFor(before + COUNT * 100);
  const t2 = performance.now();
  return {
    accepted: COUNT / ((t1 - t0) / 1000),
    delivered: COUNT / ((t2 - t0) / 1000),
    cpuMs: ((cpu() - cpu0) * 1000) / COUNT,
  };
}

async function mailstead(sinks: CountingSinks): Promise<Run> {
  const dns = await destinationDns(sinks.destinations);
  const { dir, cleanup } = tempDir('mailstead-bench-');
  try {
    const port = await freePort();
    await prepareDataDir(dir, port, {
      'dns.servers': dns.address,
      // MX routing, each domain's MTA on its own port.
      'smtp.routes': sinks.destinations.map((d) => `${d.domain}::${d.port}`).join(', '),
      'smtp.trusted_networks': '127.0.0.0/8',
      'smtp.max_clients_per_ip': '0',
      'spam.enabled': 'no',
      'authenticity.check': 'no',
      ...(process.env.QUEUE_CONCURRENCY ? { 'queue.concurrency': process.env.QUEUE_CONCURRENCY } : {}),
    });
    const child = await spawnServer(dir, SERVER_NODE_ARGS, { ownSession: true });
    try {
      return await measure(port, sinks, () => processCpu(child.pid!));
    } finally {
      await stopGracefully(child);
    }
  } finally {
    cleanup();
    await dns.stop();
  }
}

/** A Postfix instance of its own (not the shared reference), relaying to the sinks. */
async function postfix(sinks: CountingSinks): Promise<Run> {
  const { dir, cleanup } = tempDir('mailstead-bench-pf-');
  const port = await freePort();
  const pf = (...args: string[]) => execFileSync('postfix', ['-c', dir, ...args], { stdio: 'pipe' });
  try {
    mkdirSync(join(dir, 'spool'));
    mkdirSync(join(dir, 'data'));
    execFileSync('chown', ['postfix', join(dir, 'data')]);
    // Postfix's daemons run as the postfix user and must reach the spool under the temp dir.
    chmodSync(dir, 0o755);
    const transport = sinks.destinations.map((d: Destination) => `${d.domain}=smtp:[${d.address}]:${d.port}`);
    writeFileSync(
      join(dir, 'main.cf'),
      [
        'compatibility_level = 3.6',
        `queue_directory = ${dir}/spool`,
        `data_directory = ${dir}/data`,
        'command_directory = /usr/sbin',
        'daemon_directory = /usr/lib/postfix/sbin',
        'mail_owner = postfix',
        'setgid_group = postdrop',
        'myhostname = relay.bench.test',
        'mydestination =',
        'inet_interfaces = 127.0.0.1',
        'inet_protocols = ipv4',
        'mynetworks = 127.0.0.0/8',
        `transport_maps = inline:{ ${transport.join(', ')} }`,
        'smtp_tls_security_level = none',
        `maillog_file = ${dir}/maillog`,
        'maillog_file_prefixes = /tmp',
        'default_process_limit = 200',
        '',
      ].join('\n'),
    );
    const master = execFileSync('cat', ['/usr/share/postfix/master.cf.dist']).toString();
    writeFileSync(
      join(dir, 'master.cf'),
      master.replace(/^smtp\s+inet\s+.*$/m, `127.0.0.1:${port} inet n - n - - smtpd`),
    );
    try {
      pf('set-permissions');
    } catch {
      // set-permissions also visits files of the package that may be missing; the spool is done.
    }
    pf('start');
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync('python3', ['-c', `import socket;socket.create_connection(('127.0.0.1',${port}),1)`]);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const masterPid = Number(readFileSync(join(dir, 'spool', 'pid', 'master.pid'), 'latin1').trim());
    try {
      return await measure(port, sinks, () => processTreeCpu(masterPid));
    } finally {
      pf('stop');
    }
  } finally {
    cleanup();
  }
}

const fmt = (r: Run) =>
  `${r.accepted.toFixed(1).padStart(6)} msg/s accepted  ${r.delivered.toFixed(1).padStart(6)} msg/s delivered (${(r.delivered * 100).toFixed(0)} rcpt/s)  server CPU ${r.cpuMs.toFixed(1)} ms/msg`;

async function main(): Promise<void> {
  const sinks = await new CountingSinks().start(DOMAINS);
  try {
    console.log(
      `Outbound: ${COUNT} messages x 100 recipients (10 domains), ${SIZE} B, ${SESSIONS} injecting sessions`,
    );
    const m = await mailstead(sinks);
    console.log(`Mailstead (MX via DNS)      ${fmt(m)}`);
    if (process.env.REFERENCE === 'off') return;
    const p = await postfix(sinks);
    console.log(`Postfix (transport_maps)    ${fmt(p)}`);
    console.log(
      `ratio (delivered) ${(m.delivered / p.delivered).toFixed(2)}x, CPU per message ${(m.cpuMs / p.cpuMs).toFixed(2)}x`,
    );
  } finally {
    await sinks.stop();
  }
}

await main();
