// Where a scan's CPU time goes, per rule and per rule type, on one thread. The engine reports
// each rule before it runs it (ScanOptions.progress, there for the worker's time limit); the CPU
// time between two reports is charged to the first. Reading the CPU clock costs about a
// microsecond per rule, so small rules look dearer than they are; the ranking is what it is for.
// Run: npm run build && node dist/bench/spam/rule-times.js [messagesPerClass=200] [top=30]
import { pathToFileURL } from 'node:url';
import { loadRuleset } from '../../src/scan/spam/cf-parser.js';
import { STOCK_RULES_DIR } from '../../src/scan/spam/cli.js';
import { loadCorpus, pick } from '../../src/scan/spam/corpus-fixture.js';
import { SpamEngine } from '../../src/scan/spam/engine.js';
import { prepareMessage } from '../../src/scan/spam/message.js';

const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

export function main(argv = process.argv.slice(2)): void {
  const perClass = Number(argv[0] ?? 200);
  const top = Number(argv[1] ?? 30);
  const sample = pick(loadCorpus().test, perClass);
  const ruleset = loadRuleset([STOCK_RULES_DIR]);
  const engine = new SpamEngine(ruleset);
  let t = cpuMicros();
  engine.warmUp();
  console.log(`compiling the regexes: ${((cpuMicros() - t) / 1e6).toFixed(1)} CPU s`);

  const names = engine.ruleNames;
  // one slot per rule, and a last one for what runs outside any rule (metas, prefilter, setup)
  const spent = new Float64Array(names.length + 1);
  let current = names.length;
  let since = 0;
  const charge = (next: number): void => {
    const now = cpuMicros();
    spent[current] = spent[current]! + now - since;
    current = next < 0 ? names.length : next;
    since = now;
  };
  const progress = new Proxy(new Int32Array(1), {
    set: (_target, _key, value: number) => {
      charge(value);
      return true;
    },
  });
  let prepare = 0;
  t = cpuMicros();
  for (const m of sample) {
    const a = cpuMicros();
    const msg = prepareMessage(m.raw);
    prepare += cpuMicros() - a;
    current = names.length;
    since = cpuMicros();
    engine.scan(msg, { progress });
    charge(-1);
  }
  const total = cpuMicros() - t;
  const per = (us: number): string => `${(us / 1000 / sample.length).toFixed(3)} ms/msg`;
  console.log(`${sample.length} messages: ${per(total)} CPU, of which preparing the message ${per(prepare)}`);
  const kind = (n: string): string => {
    const d = ruleset.rules.get(n);
    return d?.eval ? 'eval' : (d?.type ?? 'builtin');
  };
  const byKind = new Map<string, number>([['(outside rules)', spent[names.length]!]]);
  names.forEach((n, i) => byKind.set(kind(n), (byKind.get(kind(n)) ?? 0) + spent[i]!));
  for (const [k, us] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`${per(us)}  ${k}`);
  console.log(`\ntop ${top} rules:`);
  const ranked = names.map((n, i) => [n, spent[i]!] as const).sort((a, b) => b[1] - a[1]);
  for (const [n, us] of ranked.slice(0, top)) console.log(`${per(us)}  ${kind(n).padEnd(10)} ${n}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
