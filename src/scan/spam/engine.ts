// The rule engine: compiles a ruleset once, then scores prepared messages synchronously.
// Bayes probability comes in from outside (its store may be async); everything here is CPU only.
import { EVALS } from './evals.js';
import type { EvalContext } from './evals.js';
import { headerForRule } from './header-access.js';
import type { Envelope } from './header-access.js';
import { prepareMessage } from './message.js';
import type { PreparedMessage } from './message.js';
import { evalMeta, globToRegExp, metaDeps } from './meta-expr.js';
import { AtomMatcher, requiredLiterals } from './prefilter.js';
import { relayPath } from './relays.js';
import type { RuleDef, Ruleset } from './types.js';

export const GTUBE_RE = /XJS\*C4JDBQADN1\.NSBN3\*2IDNEN\*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL\*C\.34X/;

export interface SpamHit {
  name: string;
  score: number;
  description: string;
}

export type AutolearnDecision = 'spam' | 'ham' | 'no' | 'disabled';

export interface SpamResult {
  score: number;
  required: number;
  isSpam: boolean;
  hits: SpamHit[];
  autolearn?: AutolearnDecision;
  /** Bayes spam probability when Bayes was used */
  bayes?: number;
  scoreSet: number;
  /** rules that were stopped for running too long (worker time limit) */
  timedOutRules?: string[];
}

export interface ScanOptions {
  env?: Envelope;
  /** Bayes probability; pass it only when Bayes is trained enough to be used */
  bayes?: number;
  net?: boolean;
  /** Receives the index (in `ruleNames`) of each regex rule before it runs, to blame a runaway rule. */
  progress?: Int32Array;
}

interface Compiled {
  def: RuleDef;
  index: number;
  /** ids (in the type's AtomMatcher) of the literals one of which the text must hold for the regex to match */
  atoms?: number[];
  /** the rule's regex with the g flag (see warm) */
  re?: RegExp;
  /** not compiled yet */
  cold: boolean;
}

/**
 * V8 compiles a regex first to bytecode and later, after it has run, to machine code; the machine
 * code it makes that way for the big stock regexes ran up to 30 times slower (measured: all body
 * rules over 400 corpus messages, 8.5 s against 3.0 s of CPU) than what it makes when the first
 * subject is at least 1000 characters long, which it compiles to machine code at once. So every
 * rule regex is compiled on such a string; it is global so that, started at the end of the string,
 * it tries one position only instead of matching the whole string.
 */
const WARM_SUBJECT = ' '.repeat(1000);

function warm(c: Compiled): void {
  c.cold = false;
  c.re!.lastIndex = WARM_SUBJECT.length;
  c.re!.test(WARM_SUBJECT);
}

export class SpamEngine {
  readonly ruleNames: string[];
  private readonly byType = new Map<string, Compiled[]>();
  private readonly metas: RuleDef[];
  private readonly matchers = new Map<string, AtomMatcher>();
  private readonly defs: Map<string, RuleDef>;
  /** rules whose regex is not compiled yet: those every message runs, and those behind a prefilter literal */
  private readonly eager: Compiled[] = [];
  private readonly rest: Compiled[] = [];

  constructor(
    readonly ruleset: Ruleset,
    disabled: Set<string> = new Set(),
  ) {
    const rules = [...ruleset.rules.values()].filter(
      (r) => !disabled.has(r.name) && !r.tflags.has('disabled'),
    );
    if (!ruleset.rules.has('GTUBE'))
      rules.push({
        name: 'GTUBE',
        type: 'body',
        file: '(builtin)',
        line: 0,
        re: GTUBE_RE,
        tflags: new Set(['userconf', 'noautolearn']),
        priority: 0,
        scores: [1000, 1000, 1000, 1000],
        description: 'Generic Test for Unsolicited Bulk Email',
      });
    rules.sort((a, b) => a.priority - b.priority);
    this.defs = new Map(rules.map((r) => [r.name, r]));
    this.ruleNames = rules.map((r) => r.name);
    rules.forEach((def, index) => {
      if (def.type === 'meta') return;
      const key = def.eval ? 'eval' : def.type;
      const list = this.byType.get(key) ?? [];
      const re =
        def.re && new RegExp(def.re.source, def.re.flags.includes('g') ? def.re.flags : def.re.flags + 'g');
      list.push({ def, index, re, cold: true });
      this.byType.set(key, list);
    });
    for (const type of ['body', 'rawbody']) {
      const list = this.byType.get(type) ?? [];
      const ids = new Map<string, number>();
      for (const c of list) {
        const literals = c.def.re ? requiredLiterals(c.def.re.source) : undefined;
        if (!literals) continue;
        c.atoms = literals.map((l) => {
          let id = ids.get(l);
          if (id === undefined) ids.set(l, (id = ids.size));
          return id;
        });
      }
      this.matchers.set(type, new AtomMatcher([...ids.keys()]));
    }
    this.metas = orderMetas(rules.filter((r) => r.type === 'meta'));
    for (const list of this.byType.values())
      for (const c of list) if (c.re) (c.atoms ? this.rest : this.eager).push(c);
  }

  /**
   * Compiles regexes ahead of use: V8 compiles a regex on first use, which for the stock ruleset
   * costs seconds that would otherwise land on the first messages (and their time limit). A rule
   * that runs before this reached it is compiled the same way on the spot (see warm).
   * 'eager' compiles what runs on every message (no prefilter literal); 'rest', the others, within
   * `budgetMs`, so a worker can do it between messages. Returns whether nothing is left.
   * Only one-byte subjects are compiled for: rules see UTF-8 octets, one char per byte.
   */
  warmUp(part: 'eager' | 'rest' | 'all' = 'all', budgetMs = Infinity): boolean {
    const end = performance.now() + budgetMs;
    // No V8 flags are switched here: changing regexp flags at run time (setFlagsFromString) while
    // other threads compile crashed test processes with SIGSEGV.
    for (const list of part === 'all'
      ? [this.eager, this.rest]
      : [part === 'eager' ? this.eager : this.rest]) {
      while (list.length) {
        if (performance.now() >= end) return false;
        const c = list.pop()!;
        if (c.cold) warm(c);
      }
    }
    return !this.eager.length && !this.rest.length;
  }

  /** Which of the four score sets applies: bit 0 network tests, bit 1 Bayes. */
  static scoreSet(bayes: boolean, net: boolean): number {
    return (bayes ? 2 : 0) + (net ? 1 : 0);
  }

  scan(raw: Buffer | PreparedMessage, opts: ScanOptions = {}): SpamResult {
    const s = this.ruleset.settings;
    const msg = Buffer.isBuffer(raw)
      ? prepareMessage(raw, {
          bodyPartScanSize: s.bodyPartScanSize,
          rawbodyPartScanSize: s.rawbodyPartScanSize,
        })
      : raw;
    const set = SpamEngine.scoreSet(opts.bayes !== undefined, !!opts.net);
    const counts = new Map<string, number>();
    const on = (d: RuleDef): boolean => d.name.startsWith('__') || (d.scores[set] ?? 0) !== 0;
    const mark = (c: Compiled): void => {
      if (opts.progress) opts.progress[0] = c.index;
    };
    const hit = (d: RuleDef, n: number): void => {
      if (n > 0) counts.set(d.name, (counts.get(d.name) ?? 0) + n);
    };
    const limit = (d: RuleDef): number => (d.tflags.has('multiple') ? (d.maxhits ?? 1000) : 1);
    const ctx: EvalContext = { msg, settings: s, env: opts.env, bayes: opts.bayes };
    // the relay path is cached on the message; computing it first makes it honour trusted_networks
    relayPath(msg, s.trustedNetworks);

    for (const c of this.byType.get('header') ?? []) {
      const d = c.def;
      if (!on(d)) continue;
      mark(c);
      if (d.header!.exists) {
        hit(d, headerForRule(msg, d.header!, opts.env) !== undefined ? 1 : 0);
        continue;
      }
      const v = headerForRule(msg, d.header!, opts.env) ?? '';
      const n = countMatches(c, [v], limit(d));
      hit(d, d.negate ? (n ? 0 : 1) : n);
    }
    for (const c of this.byType.get('mimeheader') ?? []) {
      const d = c.def;
      if (!on(d)) continue;
      mark(c);
      const lname = d.header!.name.toLowerCase();
      const vals = msg.parts.flatMap((p) =>
        p.headers.filter((h) => h.name.toLowerCase() === lname).map((h) => h.raw),
      );
      // `exists:` has no regex: the field in any MIME part is the hit (the parser accepts it here too).
      if (d.header!.exists) {
        hit(d, vals.length ? 1 : 0);
        continue;
      }
      const n = countMatches(c, vals, limit(d));
      hit(d, d.negate ? (n ? 0 : 1) : n);
    }
    this.runText('body', msg.body, on, mark, hit, limit);
    this.runText('rawbody', msg.rawbody, on, mark, hit, limit);
    for (const c of this.byType.get('full') ?? []) {
      if (!on(c.def)) continue;
      mark(c);
      hit(c.def, countMatches(c, [msg.full], limit(c.def)));
    }
    for (const c of this.byType.get('uri') ?? []) {
      if (!on(c.def)) continue;
      mark(c);
      hit(c.def, countMatches(c, msg.uris, limit(c.def)));
    }
    for (const c of this.byType.get('eval') ?? []) {
      const d = c.def;
      if (!on(d)) continue;
      const fn = EVALS[d.eval!.fn];
      if (!fn) continue;
      mark(c);
      try {
        hit(d, fn(ctx, d.eval!.args) ? 1 : 0);
      } catch {
        // an eval failing on odd input is a non-hit, as in SpamAssassin
      }
    }
    if (opts.progress) opts.progress[0] = -1;
    const globCache = new Map<string, number>();
    const matching = (glob: string): number => {
      let v = globCache.get(glob);
      if (v === undefined) {
        const re = globToRegExp(glob);
        v = [...counts].reduce((sum, [n, k]) => sum + (re.test(n) ? k : 0), 0);
        globCache.set(glob, v);
      }
      return v;
    };
    for (const m of this.metas) {
      if (!on(m)) continue;
      const v = evalMeta(m.meta!, (n) => counts.get(n) ?? 0, matching);
      if (v) counts.set(m.name, 1);
    }
    return this.result(counts, set, opts.bayes);
  }

  private runText(
    type: 'body' | 'rawbody',
    texts: string[],
    on: (d: RuleDef) => boolean,
    mark: (c: Compiled) => void,
    hit: (d: RuleDef, n: number) => void,
    limit: (d: RuleDef) => number,
  ): void {
    const list = this.byType.get(type) ?? [];
    if (!list.length) return;
    const found = this.matchers.get(type)!.scan(texts.join('\n'));
    for (const c of list) {
      if (!on(c.def) || (c.atoms && !c.atoms.some((a) => found.has(a)))) continue;
      mark(c);
      hit(c.def, countMatches(c, texts, limit(c.def)));
    }
  }

  private result(counts: Map<string, number>, set: number, bayes: number | undefined): SpamResult {
    const s = this.ruleset.settings;
    const hits: SpamHit[] = [];
    let score = 0;
    let learnScore = 0;
    let headPts = 0;
    let bodyPts = 0;
    const learnSet = set & ~2;
    for (const name of counts.keys()) {
      if (name.startsWith('__')) continue;
      const d = this.defs.get(name)!;
      const sc = d.scores[set] ?? 0;
      if (sc === 0) continue;
      score += sc;
      hits.push({ name, score: sc, description: d.description ?? '' });
      // SpamAssassin's auto-learn ignores Bayes itself and rules marked noautolearn, and scores without Bayes
      if (['noautolearn', 'userconf', 'learn'].some((f) => d.tflags.has(f)) || name.startsWith('BAYES_'))
        continue;
      const ls = d.scores[learnSet] ?? 0;
      learnScore += ls;
      if (d.type !== 'header' && d.type !== 'mimeheader') bodyPts += ls;
      if (d.type === 'header' || d.type === 'mimeheader' || d.type === 'meta') headPts += ls;
    }
    hits.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    score = Math.round(score * 1000) / 1000;
    const isSpam = score >= s.requiredScore;
    let autolearn: AutolearnDecision = 'disabled';
    if (s.useBayes && s.bayesAutoLearn) {
      autolearn = 'no';
      if (learnScore < s.bayesAutoLearnThresholdNonspam) autolearn = 'ham';
      else if (learnScore >= s.bayesAutoLearnThresholdSpam && isSpam && headPts >= 3 && bodyPts >= 3)
        autolearn = 'spam';
    }
    return { score, required: s.requiredScore, isSpam, hits, autolearn, bayes, scoreSet: set };
  }
}

/** Counts matches of the rule's regex over the strings, up to `max`. */
function countMatches(c: Compiled, texts: string[], max: number): number {
  if (c.cold) warm(c);
  const g = c.re!;
  let n = 0;
  for (const t of texts) {
    g.lastIndex = 0;
    if (max <= 1) {
      if (g.test(t)) return 1;
      continue;
    }
    let m: RegExpExecArray | null;
    while (n < max && (m = g.exec(t))) {
      n++;
      if (m[0] === '') g.lastIndex++;
    }
    if (n >= max) break;
  }
  return n;
}

/** Metas in dependency order; a meta in a cycle is dropped. */
function orderMetas(metas: RuleDef[]): RuleDef[] {
  const byName = new Map(metas.map((m) => [m.name, m]));
  const out: RuleDef[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (m: RuleDef): boolean => {
    const st = state.get(m.name);
    if (st === 2) return true;
    if (st === 1) return false;
    state.set(m.name, 1);
    for (const dep of metaDeps(m.meta!)) {
      const d = byName.get(dep);
      if (d && !visit(d)) return false;
      if (dep.includes('*') || dep.includes('?'))
        for (const [n, other] of byName)
          if (n !== m.name && globToRegExp(dep).test(n) && !visit(other)) return false;
    }
    state.set(m.name, 2);
    out.push(m);
    return true;
  };
  for (const m of metas) visit(m);
  return out;
}
