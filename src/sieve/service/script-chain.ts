import type { SieveMessageContext } from '../context.js';
import { SieveSyntaxError } from '../errors.js';
import { runSieve, type RunOptions, type SieveResult } from '../interpreter.js';
import { compileSieve, type CompiledScript } from '../validator.js';

export interface NamedScript {
  name: string;
  content: string;
  /**
   * Where the script is stored (e.g. account and name), so its compiled form is found without
   * hashing the text; the text still decides whether that compiled form is current.
   */
  key: string;
}

/** The scripts one delivery runs, in order: global before, the user's active script, global after. */
export interface ScriptChain {
  before: NamedScript[];
  user?: NamedScript;
  after: NamedScript[];
  /** The user's other scripts, for `include :personal`. */
  personal: (name: string) => NamedScript | undefined;
}

export interface ChainResult extends SieveResult {
  /** Set when the user's script failed and only the global scripts' decisions were kept. */
  userError?: SieveResult['error'];
}

const CACHE_SIZE = 1000;
const compiled = new Map<string, { content: string; result: CompiledScript | SieveSyntaxError }>();

/**
 * Compiling a 50-rule script costs several times running it, and scripts change rarely: the
 * compiled form (or the syntax error) is kept per storage key, least recently used dropped first.
 * Comparing the stored text with the cached one is a memcmp, where keying by the text would hash
 * it on every delivery.
 */
export function compileCached(s: NamedScript): CompiledScript {
  let entry = compiled.get(s.key);
  if (entry && entry.content === s.content) {
    compiled.delete(s.key);
  } else {
    let result: CompiledScript | SieveSyntaxError;
    try {
      result = compileSieve(s.content, { name: s.name });
    } catch (e) {
      if (!(e instanceof SieveSyntaxError)) throw e;
      result = e;
    }
    entry = { content: s.content, result };
    compiled.delete(s.key);
    if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(s.key, entry);
  if (entry.result instanceof SieveSyntaxError) throw entry.result;
  return entry.result;
}

/** A stored script that no longer compiles (e.g. after an engine change) is not run, and adds no needs. */
export function compiledOrUndefined(s: NamedScript): CompiledScript | undefined {
  try {
    return compileCached(s);
  } catch (e) {
    if (e instanceof SieveSyntaxError) return undefined;
    throw e;
  }
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Runs the chain as one Sieve execution (RFC 6609 include semantics, as Pigeonhole's
 * sieve_before/sieve_after): a "stop" anywhere ends it, and any script may cancel the implicit
 * keep. When the user's script fails, the global scripts run again alone, so an administrator's
 * archive copy is not lost to a user's broken filter; the implicit keep still holds.
 */
export function runChain(chain: ScriptChain, ctx: SieveMessageContext, opts: RunOptions): ChainResult {
  const first = run(chain, ctx, opts);
  if (!first.error || !chain.user) return first;
  const globalsOnly = run({ before: chain.before, after: chain.after, personal: chain.personal }, ctx, opts);
  return { ...globalsOnly, userError: first.error };
}

function run(chain: ScriptChain, ctx: SieveMessageContext, opts: RunOptions): SieveResult {
  const globals = [...chain.before, ...chain.after];
  const loadScript = (name: string, location: 'personal' | 'global') => {
    const s =
      location === 'global'
        ? globals.find((g) => g.name === name)
        : chain.user?.name === name
          ? chain.user
          : chain.personal(name);
    return s && compileCached(s);
  };
  if (!globals.length)
    return chain.user
      ? runSieve(compiledOrUndefined(chain.user) ?? chain.user.content, ctx, { ...opts, loadScript })
      : { actions: [{ type: 'keep', flags: [], implicit: true }] };
  const parts = [...chain.before.map((s) => `include :global ${quote(s.name)};`)];
  if (chain.user) parts.push(`include :personal ${quote(chain.user.name)};`);
  parts.push(...chain.after.map((s) => `include :global ${quote(s.name)};`));
  const wrapper = `require "include";\n${parts.join('\n')}\n`;
  const script = compiledOrUndefined({ name: 'chain', content: wrapper, key: `chain\0${wrapper}` });
  return runSieve(script ?? wrapper, ctx, { ...opts, loadScript });
}
