// Per-rule agreement with SpamAssassin on the corpus sample the throughput bench uses: which rules
// SpamAssassin hits that we miss (and the reverse), ranked by the score they move, and which
// messages get a different verdict. spamd's answers are cached (they take minutes to collect).
// Run: npm run build && node dist/bench/spam/rule-diff.js [messagesPerClass=200] [--refresh]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRuleset } from '../../src/scan/spam/cf-parser.js';
import { askSpamd } from './spamd.js';
import { STOCK_RULES_DIR } from '../../src/scan/spam/cli.js';
import { loadCorpus, pick } from '../../src/scan/spam/corpus-fixture.js';
import type { CorpusMessage } from '../../src/scan/spam/corpus-fixture.js';
import { SpamEngine } from '../../src/scan/spam/engine.js';

export interface SaAnswer {
  score: number;
  tests: string[];
}

/** SpamAssassin's score and rule names from a processed message's X-Spam-Status header. */
export function parseSpamStatus(processed: string): SaAnswer | undefined {
  const head = processed.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const m =
    /^X-Spam-Status: \w+, score=(-?[\d.]+) required=[\d.]+ tests=(.*?)(?: autolearn=| version=|$)/m.exec(
      head,
    );
  if (!m) return undefined;
  return {
    score: Number(m[1]),
    tests: m[2]!
      .replace(/\s+/g, '')
      .split(',')
      .filter((t) => t && t !== 'none'),
  };
}

/** spamd's answer for each message (spamd -L with 2 children, processing mode through spamc). */
function spamdAnswers(msgs: CorpusMessage[]): Promise<SaAnswer[]> {
  // -s: spamc's default 500 KB cap would skip the large corpus messages spamd reads whole
  return askSpamd(msgs, '17832', ['-s', '10000000'], (output, m) => {
    const a = parseSpamStatus(output.toString('latin1'));
    if (!a) throw new Error(`no X-Spam-Status for ${m.id}`);
    return a;
  });
}

interface RuleTally {
  name: string;
  /** SpamAssassin hit it, we did not */
  missed: number;
  /** we hit it, SpamAssassin did not */
  extra: number;
  /** sum of |score| over the disagreeing messages */
  weight: number;
  /** disagreements on messages whose verdict differs */
  decisive: number;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const perClass = Number(argv.find((a) => /^\d+$/.test(a)) ?? 200);
  const sample = pick(loadCorpus().test, perClass);
  const cache = join(tmpdir(), `mailstead-sa-answers-${perClass}.json`);
  let sa: SaAnswer[];
  if (existsSync(cache) && !argv.includes('--refresh'))
    sa = JSON.parse(readFileSync(cache, 'utf8')) as SaAnswer[];
  else {
    sa = await spamdAnswers(sample);
    writeFileSync(cache, JSON.stringify(sa));
  }
  const t0 = performance.now();
  const ruleset = loadRuleset([STOCK_RULES_DIR]);
  const engine = new SpamEngine(ruleset);
  engine.warmUp();
  console.log(`rules loaded and compiled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const scores = (n: string): number => Math.abs(ruleset.rules.get(n)?.scores[0] ?? 1);
  const tallies = new Map<string, RuleTally>();
  const tally = (n: string): RuleTally => {
    let t = tallies.get(n);
    if (!t) tallies.set(n, (t = { name: n, missed: 0, extra: 0, weight: 0, decisive: 0 }));
    return t;
  };
  let agree = 0;
  let scoreClose = 0;
  const wrong: string[] = [];
  const t1 = performance.now();
  sample.forEach((m, i) => {
    const ours = engine.scan(m.raw);
    const theirs = sa[i]!;
    const saSpam = theirs.score >= 5;
    const same = saSpam === ours.isSpam;
    if (same) agree++;
    if (Math.abs(theirs.score - ours.score) < 0.05) scoreClose++;
    const mine = new Set(ours.hits.map((h) => h.name));
    const their = new Set(theirs.tests);
    const diff: string[] = [];
    for (const n of their)
      if (!mine.has(n)) {
        const t = tally(n);
        t.missed++;
        t.weight += scores(n);
        if (!same) t.decisive++;
        diff.push('-' + n);
      }
    for (const n of mine)
      if (!their.has(n)) {
        const t = tally(n);
        t.extra++;
        t.weight += scores(n);
        if (!same) t.decisive++;
        diff.push('+' + n);
      }
    if (!same)
      wrong.push(
        `${m.id} (${m.spam ? 'spam' : 'ham'}): SA ${theirs.score} ours ${ours.score}  ${diff.join(' ')}`,
      );
  });
  const scanS = (performance.now() - t1) / 1000;
  console.log(
    `scanned ${sample.length} in ${scanS.toFixed(1)} s on one thread (${(sample.length / scanS).toFixed(1)} msg/s)`,
  );
  console.log(
    `verdict agreement: ${agree}/${sample.length} (${((100 * agree) / sample.length).toFixed(1)}%); ` +
      `score within 0.05: ${scoreClose}/${sample.length}`,
  );
  const bayesUsed = sa.some((a) => a.tests.some((t) => t.startsWith('BAYES_')));
  if (bayesUsed) console.log('warning: spamd used Bayes; its answers are not rules-only');
  console.log('\nrules by disagreement weight (missed = SA only, extra = ours only):');
  for (const t of [...tallies.values()].sort((a, b) => b.weight - a.weight).slice(0, 40))
    console.log(
      `${t.weight.toFixed(2).padStart(8)}  missed ${String(t.missed).padStart(3)}  extra ${String(t.extra).padStart(3)}  decisive ${String(t.decisive).padStart(2)}  ${t.name}`,
    );
  console.log(`\nmessages with a different verdict (${wrong.length}):`);
  for (const w of wrong) console.log(w);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
