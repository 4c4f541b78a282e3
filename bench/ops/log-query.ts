// Delivery-log query time against log size. Generates a log spread over 30 days for each size,
// indexes it, then times the queries an operator runs. CPU time is shown beside wall time, as the
// machine is shared. Usage:
//   node dist/bench/ops/log-query.js [SIZE…]      (default 100000 1000000 10000000)
//   node dist/bench/ops/log-query.js --log FILE   (a log made by log-generator.js, kept with its
//                                                  index; "now" is its newest record)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryLogQuery, indexPathFor } from '../../src/ops/log/delivery-log-query.js';
import type { LogShape } from '../../test/ops/delivery-log-fixture.js';
import { generateLogFast } from './log-generator.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const END = Date.UTC(2024, 5, 1, 0, 17, 31);
const logArg = process.argv.indexOf('--log');
const existing = logArg >= 0 ? process.argv[logArg + 1] : undefined;
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);

let lastCpuMs = 0;
function timed<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const c = process.cpuUsage();
  const v = fn();
  const d = process.cpuUsage(c);
  lastCpuMs = (d.user + d.system) / 1000;
  return [v, performance.now() - t];
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
const ms = (t: number) =>
  t < 10 ? `${t.toFixed(2)} ms` : t < 10_000 ? `${t.toFixed(0)} ms` : `${(t / 1000).toFixed(1)} s`;

for (const count of existing ? [0] : sizes.length ? sizes : [1e5, 1e6, 1e7]) {
  const dir = existing ? undefined : mkdtempSync(join(tmpdir(), 'mailstead-bench-log-'));
  const log = existing ?? join(dir!, 'delivery.jsonl');
  const shape: LogShape = {
    count,
    from: END - 30 * DAY,
    to: END,
    localDomains: 200,
    usersPerDomain: 500,
    remoteAddresses: 200_000,
    seed: 1,
    jitterMs: 30_000,
  };
  const [, genMs] = existing ? [0, 0] : timed(() => generateLogFast(log, shape));
  let end = END;
  const q = new DeliveryLogQuery(log, indexPathFor(log), { now: () => end });
  const [upd, indexMs] = timed(() => q.refresh());
  const indexCpu = lastCpuMs;
  if (existing) end = q.coverage().newest! + 1;
  const idxBytes =
    statSync(indexPathFor(log)).size +
    (statSync(indexPathFor(log) + '-wal', { throwIfNoEntry: false })?.size ?? 0);
  console.log(
    `\n${upd.lines.toLocaleString('en')} lines indexed, ${mb(statSync(log).size)} log: generated in ${ms(genMs)}, indexed in ${ms(indexMs)} wall (${Math.round(upd.lines / (indexMs / 1000)).toLocaleString('en')} lines/s), ${ms(indexCpu)} CPU (${Math.round(upd.lines / (indexCpu / 1000)).toLocaleString('en')} lines/CPU-s), index ${mb(idxBytes)}`,
  );
  const month = { from: end - 30 * DAY, to: end };
  const week = { from: end - 6 * DAY, to: end };
  const recent = { from: end - 3 * HOUR, to: end };
  const cases: [string, () => unknown][] = [
    ['top senders, last 30 days', () => q.top('senders', { range: month, limit: 20 })],
    [
      'top recipients --remote, last 6 days',
      () => q.top('recipients', { range: week, filters: { flavour: 'remote' }, limit: 20 }),
    ],
    ['top deferrals, last 3 hours', () => q.top('deferrals', { range: recent, limit: 20 })],
    ['stats users, last 30 days', () => q.stats('users', { range: month, limit: 20 })],
    ['stats domains, last 30 days', () => q.stats('domains', { range: month, limit: 20 })],
    [
      'top senders --domain dom0.test, last 30 days',
      () => q.top('senders', { range: month, filters: { domain: 'dom0.test' }, limit: 20 }),
    ],
    [
      'top senders --recipient user3@dom1.test, last 30 days',
      () => q.top('senders', { range: month, filters: { recipient: 'user3@dom1.test' } }),
    ],
    [
      'show --failures, last 3 hours (first 100)',
      () => q.show({ range: recent, result: 'failure', limit: 100 }),
    ],
    [
      'show --sender user7@dom2.test, last 6 days',
      () => q.show({ range: week, filters: { sender: 'user7@dom2.test' } }),
    ],
  ];
  for (const [name, run] of cases) {
    run();
    const runs = 3;
    const [, total] = timed(() => {
      for (let i = 0; i < runs; i++) run();
    });
    console.log(
      `  ${name.padEnd(56)} ${ms(total / runs).padStart(8)} wall ${ms(lastCpuMs / runs).padStart(8)} CPU`,
    );
  }
  q.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
