// Naive-Bayes spam probability as SpamAssassin's Bayes plugin computes it: SA-like tokens,
// Robinson's per-token probability, Fisher/chi-square combining of the strongest tokens.
import { createHash } from 'node:crypto';
import type { PreparedMessage } from './message.js';
import { decodeHeader } from './mime.js';

export type BayesClass = 'spam' | 'ham';

export interface TokenCounts {
  spam: number;
  ham: number;
}

/** Token counts and learned message ids, per user ('' is the global database). */
export interface BayesStore {
  totals(user: string): Promise<TokenCounts>;
  tokens(user: string, tokens: string[]): Promise<Map<string, TokenCounts>>;
  seen(user: string, msgId: string): Promise<BayesClass | undefined>;
  /** Adds `delta` to each token's count of `cls`, the message total, and records (or forgets) the id. */
  apply(user: string, msgId: string, cls: BayesClass, tokens: string[], delta: 1 | -1): Promise<void>;
}

export class MemoryBayesStore implements BayesStore {
  private readonly users = new Map<
    string,
    { totals: TokenCounts; tokens: Map<string, TokenCounts>; seen: Map<string, BayesClass> }
  >();

  private db(user: string) {
    let d = this.users.get(user);
    if (!d) this.users.set(user, (d = { totals: { spam: 0, ham: 0 }, tokens: new Map(), seen: new Map() }));
    return d;
  }

  async totals(user: string): Promise<TokenCounts> {
    return { ...this.db(user).totals };
  }

  async tokens(user: string, tokens: string[]): Promise<Map<string, TokenCounts>> {
    const d = this.db(user);
    const out = new Map<string, TokenCounts>();
    for (const t of tokens) {
      const c = d.tokens.get(t);
      if (c) out.set(t, { ...c });
    }
    return out;
  }

  async seen(user: string, msgId: string): Promise<BayesClass | undefined> {
    return this.db(user).seen.get(msgId);
  }

  async apply(user: string, msgId: string, cls: BayesClass, tokens: string[], delta: 1 | -1): Promise<void> {
    const d = this.db(user);
    d.totals[cls] = Math.max(0, d.totals[cls] + delta);
    for (const t of tokens) {
      const c = d.tokens.get(t) ?? { spam: 0, ham: 0 };
      c[cls] = Math.max(0, c[cls] + delta);
      if (c.spam === 0 && c.ham === 0) d.tokens.delete(t);
      else d.tokens.set(t, c);
    }
    if (delta > 0) d.seen.set(msgId, cls);
    else d.seen.delete(msgId);
  }
}

// constants of SpamAssassin's Bayes.pm
const FW_S = 0.03;
const FW_X = 0.538;
const MIN_PROB_STRENGTH = 0.346;
const N_SIGNIFICANT = 150;
const MAX_TOKEN = 15;

const SKIP_HEADERS =
  /^(?:x-spam-|x-bogosity|x-dspam|x-crm114|received$|return-path$|delivered-to$|message-id$|date$|content-length$|lines$|status$|x-status$|x-uid$|x-keywords$|x-mozilla-status|x-original-to$|x-virus-)/i;

function wordTokens(text: string, prefix: string, out: Set<string>): void {
  for (let w of text.split(/[\s"<>()[\]{}=;,|\\/`~^&*]+/)) {
    w = w.replace(/^[-'.:!?$%@+#]+|[-'.:!?%@+#]+$/g, '');
    if (w.length < 3) continue;
    const eight = /[^\x00-\x7f]/.test(w);
    // like SA: very long tokens are usually encoded junk; keep only their shape
    if (w.length > MAX_TOKEN) {
      out.add(prefix + (eight ? '8:' : 'sk:') + w.slice(0, 7).toLowerCase());
      continue;
    }
    out.add(prefix + w.toLowerCase());
  }
}

/** Tokens for a prepared message: body words, prefixed header tokens, URI hosts. */
export function bayesTokens(msg: PreparedMessage, ignoreHeaders: Set<string> = new Set()): string[] {
  const out = new Set<string>();
  wordTokens(msg.visibleText.slice(0, 100_000), '', out);
  for (const h of msg.headers) {
    const name = h.name.toLowerCase();
    if (SKIP_HEADERS.test(name) || ignoreHeaders.has(name)) continue;
    wordTokens(decodeHeader(h.raw).slice(0, 2000), `H${name}:`, out);
  }
  for (const u of msg.uris.slice(0, 200)) {
    const host = /^[a-z]+:\/\/([^/:?#]+)/i.exec(u)?.[1];
    if (host) out.add('U:' + host.toLowerCase());
  }
  return [...out];
}

/** The id a message is learned under: its Message-ID, else a digest of its headers and body. */
export function learnId(msg: PreparedMessage): string {
  const mid = msg.headers.find((h) => h.name.toLowerCase() === 'message-id')?.raw.trim();
  if (mid) return mid;
  return createHash('sha1').update(msg.full.slice(0, 64_000)).digest('hex') + '@sa_generated';
}

function chi2q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

/** Fisher/chi-square combining of token probabilities, as SA's Bayes::Combine::Chi. */
export function chiSquareCombine(probs: number[]): number {
  if (probs.length === 0) return 0.5;
  let lnS = 0;
  let lnH = 0;
  for (const p of probs) {
    lnS += Math.log(1 - p);
    lnH += Math.log(p);
  }
  const S = 1 - chi2q(-2 * lnS, 2 * probs.length);
  const H = 1 - chi2q(-2 * lnH, 2 * probs.length);
  return (S - H + 1) / 2;
}

export function tokenProbability(c: TokenCounts, totals: TokenCounts): number {
  const rs = totals.spam ? c.spam / totals.spam : 0;
  const rh = totals.ham ? c.ham / totals.ham : 0;
  const p = rs + rh === 0 ? 0.5 : rs / (rs + rh);
  const n = c.spam + c.ham;
  return (FW_S * FW_X + n * p) / (FW_S + n);
}

export interface BayesOptions {
  minSpam?: number;
  minHam?: number;
}

export class Bayes {
  constructor(
    readonly store: BayesStore,
    private readonly opts: BayesOptions = {},
  ) {}

  /** Whether enough has been learned for Bayes to count (SA's bayes_min_spam_num/bayes_min_ham_num). */
  async ready(user = ''): Promise<boolean> {
    const t = await this.store.totals(user);
    return t.spam >= (this.opts.minSpam ?? 200) && t.ham >= (this.opts.minHam ?? 200);
  }

  /** Spam probability in [0,1], or undefined when Bayes is not trained enough. */
  async probability(tokens: string[], user = ''): Promise<number | undefined> {
    if (!(await this.ready(user))) return undefined;
    const totals = await this.store.totals(user);
    const counts = await this.store.tokens(user, tokens);
    const probs: number[] = [];
    for (const c of counts.values()) {
      const p = tokenProbability(c, totals);
      if (Math.abs(p - 0.5) >= MIN_PROB_STRENGTH) probs.push(p);
    }
    probs.sort((a, b) => Math.abs(b - 0.5) - Math.abs(a - 0.5));
    return chiSquareCombine(probs.slice(0, N_SIGNIFICANT));
  }

  /** Learns a message once per id; learning it as the other class moves it over. Returns whether anything changed. */
  async learn(tokens: string[], cls: BayesClass, msgId: string, user = ''): Promise<boolean> {
    const prev = await this.store.seen(user, msgId);
    if (prev === cls) return false;
    if (prev) await this.store.apply(user, msgId, prev, tokens, -1);
    await this.store.apply(user, msgId, cls, tokens, 1);
    return true;
  }

  /** Removes a learned message. */
  async forget(tokens: string[], msgId: string, user = ''): Promise<boolean> {
    const prev = await this.store.seen(user, msgId);
    if (!prev) return false;
    await this.store.apply(user, msgId, prev, tokens, -1);
    return true;
  }
}
