// Spam scanning throughput and accuracy on the SpamAssassin corpus, ours against spamd.
// Run: npm run build && node dist/bench/spam/throughput.js [messagesPerClass=200]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bayes, MemoryBayesStore, bayesTokens, learnId } from '../../src/scan/spam/bayes.js';
import { STOCK_RULES_DIR } from '../../src/scan/spam/cli.js';
import { loadCorpus, pick } from '../../src/scan/spam/corpus-fixture.js';
import type { CorpusMessage } from '../../src/scan/spam/corpus-fixture.js';
import { prepareMessage } from '../../src/scan/spam/message.js';
import { SpamScanner } from '../../src/scan/spam/scanner.js';
import { askSpamd } from './spamd.js';

interface Run {
  seconds: number;
  verdicts: boolean[];
}

async function scanAll(msgs: CorpusMessage[], bayes?: MemoryBayesStore): Promise<Run> {
  const scanner = new SpamScanner({
    rules: [STOCK_RULES_DIR],
    poolSize: availableParallelism(),
    bayesStore: bayes,
    timeoutMs: 30_000,
  });
  await scanner.ready();
  const t0 = performance.now();
  const results = await Promise.all(msgs.map((m) => scanner.scan(m.raw)));
  const seconds = (performance.now() - t0) / 1000;
  await scanner.close();
  return { seconds, verdicts: results.map((r) => r.isSpam) };
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

/** Per-message spamd verdicts through spamc, for agreement. */
function spamdVerdicts(msgs: CorpusMessage[]): Promise<boolean[]> {
  return askSpamd(msgs, '17831', ['-c'], (output) => Number(output.toString().split('/')[0]) >= 5);
}

export async function main(perClass = Number(process.argv[2] ?? 200)): Promise<void> {
  const { train: trainSet, test } = loadCorpus();
  const sample = pick(test, perClass);
  console.log(
    `sample: ${sample.length} messages (${perClass} ham + ${perClass} spam), train: ${trainSet.length}`,
  );
  const plain = await scanAll(sample);
  console.log(
    `mailstead, no Bayes: ${(sample.length / plain.seconds).toFixed(1)} msg/s; ${rates(sample, plain.verdicts)}`,
  );
  const store = await train(trainSet);
  const withBayes = await scanAll(sample, store);
  console.log(
    `mailstead, Bayes trained on ${trainSet.length}: ${(sample.length / withBayes.seconds).toFixed(1)} msg/s; ${rates(sample, withBayes.verdicts)}`,
  );
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (spawnSync('spamd', ['--version']).status !== 0) {
    console.log('spamd not installed; skipping the comparison');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spam-sample-'));
  try {
    for (const lab of ['ham', 'spam']) mkdirSync(join(dir, lab));
    sample.forEach((m, i) => writeFileSync(join(dir, m.spam ? 'spam' : 'ham', `${i}.eml`), m.raw));
    const out = execFileSync('/work/shared/reference/spamd-throughput.sh', [dir, '2'], {
      encoding: 'utf8',
    }).trim();
    console.log(`spamd: ${out}`);
    const sa = Number(/= ([\d.]+) msg\/s/.exec(out)?.[1]);
    console.log(
      `throughput ratio (mailstead no Bayes / spamd): ${(sample.length / plain.seconds / sa).toFixed(2)}`,
    );
    const saVerdicts = await spamdVerdicts(sample);
    const agree = saVerdicts.filter((v, i) => v === plain.verdicts[i]).length;
    console.log(
      `verdict agreement with spamd: ${agree}/${sample.length} (${((100 * agree) / sample.length).toFixed(1)}%); spamd ${rates(sample, saVerdicts)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
