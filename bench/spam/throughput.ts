// Spam scanning throughput and accuracy on the SpamAssassin corpus, ours against spamd, in the
// same run. The machine is shared, so the two are measured in alternating rounds over the same
// sample (spamd, mailstead, mailstead, spamd, ...): each round's ratio compares neighbours in time,
// and the median ratio is reported. CPU seconds per message are reported too, as they depend far
// less on what else the machine is doing: spamd's from /proc (parent and children), ours from
// process.cpuUsage (the bench process, whose worker threads do the scanning).
// Run: npm run build && node dist/bench/spam/throughput.js [messagesPerClass=200] [rounds=4]
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Bayes, MemoryBayesStore, bayesTokens, learnId } from '../../src/scan/spam/bayes.js';
import { STOCK_RULES_DIR } from '../../src/scan/spam/cli.js';
import { loadCorpus, pick } from '../../src/scan/spam/corpus-fixture.js';
import type { CorpusMessage } from '../../src/scan/spam/corpus-fixture.js';
import { prepareMessage } from '../../src/scan/spam/message.js';
import { SpamScanner } from '../../src/scan/spam/scanner.js';
import { median } from '../median.js';
import { startSpamd } from './spamd.js';
import type { Spamd } from './spamd.js';

interface Pass {
  /** messages per second, wall clock */
  rate: number;
  /** CPU seconds per message */
  cpu: number;
  verdicts: boolean[];
}

/** Scans every message with `concurrency` in flight and times it. */
async function pass(
  msgs: CorpusMessage[],
  concurrency: number,
  cpuSeconds: () => number,
  isSpam: (raw: Buffer) => Promise<boolean>,
): Promise<Pass> {
  const verdicts: boolean[] = new Array(msgs.length);
  let next = 0;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < msgs.length) {
        const i = next++;
        verdicts[i] = await isSpam(msgs[i]!.raw);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { rate: msgs.length / seconds, cpu: (cpuSeconds() - c0) / msgs.length, verdicts };
}

const ownCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function ourPass(scanner: SpamScanner, msgs: CorpusMessage[], cores: number): Promise<Pass> {
  // twice the pool size in flight, so a worker never waits for the next message
  return pass(msgs, 2 * cores, ownCpu, async (raw) => (await scanner.scan(raw)).isSpam);
}

function spamdPass(spamd: Spamd, msgs: CorpusMessage[], cores: number): Promise<Pass> {
  return pass(
    msgs,
    cores,
    () => spamd.cpuSeconds(),
    async (raw) => (await spamd.check(raw)) >= 5,
  );
}

function rates(msgs: CorpusMessage[], verdicts: boolean[]): string {
  const spam = msgs.filter((m) => m.spam).length;
  const caught = msgs.filter((m, i) => m.spam && verdicts[i]).length;
  const fp = msgs.filter((m, i) => !m.spam && verdicts[i]).length;
  return `spam caught ${caught}/${spam} (${((100 * caught) / spam).toFixed(1)}%), ham flagged ${fp}/${msgs.length - spam}`;
}

async function train(msgs: CorpusMessage[]): Promise<MemoryBayesStore> {
  const store = new MemoryBayesStore();
  const bayes = new Bayes(store);
  for (const m of msgs) {
    const p = prepareMessage(m.raw);
    await bayes.learn(bayesTokens(p), m.spam ? 'spam' : 'ham', learnId(p) + m.id);
  }
  return store;
}

const fmt = (p: Pass): string => `${p.rate.toFixed(1)} msg/s, ${(1000 * p.cpu).toFixed(1)} ms CPU/msg`;

export async function main(perClass = Number(process.argv[2] ?? 200), rounds = Number(process.argv[3] ?? 4)) {
  const cores = availableParallelism();
  const { train: trainSet, test } = loadCorpus();
  const sample = pick(test, perClass);
  const warmup = sample.filter((_, i) => i % 20 === 0);
  console.log(
    `sample: ${sample.length} messages (${perClass} ham + ${perClass} spam), train: ${trainSet.length}; ` +
      `${cores} cores; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const scanner = new SpamScanner({ rules: [STOCK_RULES_DIR], poolSize: cores, timeoutMs: 30_000 });
  await scanner.ready();
  await ourPass(scanner, warmup, cores);
  const haveSpamd = spawnSync('spamd', ['--version']).status === 0;
  const spamd = haveSpamd ? await startSpamd('17830', cores) : undefined;
  let ours: Pass | undefined;
  let theirs: Pass | undefined;
  try {
    if (spamd) await spamdPass(spamd, warmup, cores);
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first, so neither always follows the other
      if (spamd && r % 2 === 0) theirs = await spamdPass(spamd, sample, cores);
      ours = await ourPass(scanner, sample, cores);
      if (spamd && r % 2 === 1) theirs = await spamdPass(spamd, sample, cores);
      let line = `round ${r + 1}: mailstead ${fmt(ours)}`;
      if (theirs) {
        ratios.push(ours.rate / theirs.rate);
        cpuRatios.push(theirs.cpu / ours.cpu);
        line += `; spamd ${fmt(theirs)}; ratio ${ratios.at(-1)!.toFixed(2)} (CPU ${cpuRatios.at(-1)!.toFixed(2)})`;
      }
      console.log(`${line}; load ${loadavg()[0]!.toFixed(1)}`);
    }
    console.log(`mailstead, no Bayes: ${rates(sample, ours!.verdicts)}`);
    if (theirs) {
      console.log(
        `throughput ratio mailstead/spamd, median of ${rounds} rounds: ${median(ratios).toFixed(2)} ` +
          `(wall clock), ${median(cpuRatios).toFixed(2)} (CPU per message)`,
      );
      const agree = theirs.verdicts.filter((v, i) => v === ours!.verdicts[i]).length;
      console.log(
        `verdict agreement with spamd: ${agree}/${sample.length} (${((100 * agree) / sample.length).toFixed(1)}%); ` +
          `spamd ${rates(sample, theirs.verdicts)}`,
      );
    }
  } finally {
    spamd?.stop();
    await scanner.close();
  }
  const store = await train(trainSet);
  const withBayes = new SpamScanner({
    rules: [STOCK_RULES_DIR],
    poolSize: cores,
    bayesStore: store,
    timeoutMs: 30_000,
  });
  try {
    await withBayes.ready();
    await ourPass(withBayes, warmup, cores);
    const p = await ourPass(withBayes, sample, cores);
    console.log(`mailstead, Bayes trained on ${trainSet.length}: ${fmt(p)}; ${rates(sample, p.verdicts)}`);
  } finally {
    await withBayes.close();
  }
  console.log(
    `peak RSS of this process (two scanners in turn, training set): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
