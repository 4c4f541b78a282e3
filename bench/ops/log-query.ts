// Delivery-log query time against log size. Generates a log spread over 30 days for each size,
// indexes it, then times the queries an operator runs. Usage:
//   node dist/bench/ops/log-query.js [SIZE…]      (default 100000 1000000 10000000)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryLogQuery, indexPathFor } from '../../src/ops/log/delivery-log-query.js';
import { writeLog, type LogShape } from '../../test/ops/delivery-log-fixture.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const END = Date.UTC(2024, 5, 1, 0, 17, 31);
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);

function timed<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, performance.now() - t];
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
const ms = (t: number) =>
  t < 10 ? `${t.toFixed(2)} ms` : t < 10_000 ? `${t.toFixed(0)} ms` : `${(t / 1000).toFixed(1)} s`;

for (const count of sizes.length ? sizes : [1e5, 1e6, 1e7]) {
  const dir = mkdtempSync(join(tmpdir(), 'mailstead-bench-log-'));
  const log = join(dir, 'delivery.jsonl');
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
  const [, genMs] = timed(() => writeLog(log, shape));
  const q = new DeliveryLogQuery(log, indexPathFor(log), { now: () => END });
  const [upd, indexMs] = timed(() => q.refresh());
  const idxBytes =
    statSync(indexPathFor(log)).size +
    (statSync(indexPathFor(log) + '-wal', { throwIfNoEntry: false })?.size ?? 0);
  console.log(
    `\n${count.toLocaleString('en')} lines, ${mb(statSync(log).size)} log: generated in ${ms(genMs)}, indexed in ${ms(indexMs)} (${Math.round(upd.lines / (indexMs / 1000)).toLocaleString('en')} lines/s), index ${mb(idxBytes)}`,
  );
  const month = { from: END - 30 * DAY, to: END };
  const week = { from: END - 6 * DAY, to: END };
  const recent = { from: END - 3 * HOUR, to: END };
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
    console.log(`  ${name.padEnd(56)} ${ms(total / runs)}`);
  }
  q.close();
  rmSync(dir, { recursive: true, force: true });
}
