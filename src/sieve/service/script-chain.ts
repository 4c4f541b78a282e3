import type { SieveMessageContext } from '../context.js';
import { runSieve, type RunOptions, type SieveResult } from '../interpreter.js';
import { compileSieve, type CompiledScript } from '../validator.js';

export interface NamedScript {
  name: string;
  content: string;
}

/** The scripts one delivery runs, in order: global before, the user's active script, global after. */
export interface ScriptChain {
  before: NamedScript[];
  user?: NamedScript;
  after: NamedScript[];
  /** The user's other scripts, for `include :personal`. */
  personal: (name: string) => string | undefined;
}

export interface ChainResult extends SieveResult {
  /** Set when the user's script failed and only the global scripts' decisions were kept. */
  userError?: SieveResult['error'];
}

const CACHE_SIZE = 500;
const compiled = new Map<string, CompiledScript>();

/** Compiling a 50-rule script costs more than running it, and scripts change rarely. */
function compileCached(s: NamedScript): CompiledScript {
  const key = `${s.name}\0${s.content}`;
  let c = compiled.get(key);
  if (c) {
    compiled.delete(key);
  } else {
    c = compileSieve(s.content, { name: s.name });
    if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(key, c);
  return c;
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
  if (!globals.length)
    return chain.user
      ? runSieve(safeCompile(chain.user) ?? chain.user.content, ctx, { ...opts, loadScript: load })
      : { actions: [{ type: 'keep', flags: [], implicit: true }] };
  const parts = [...chain.before.map((s) => `include :global ${quote(s.name)};`)];
  if (chain.user) parts.push(`include :personal ${quote(chain.user.name)};`);
  parts.push(...chain.after.map((s) => `include :global ${quote(s.name)};`));
  return runSieve(`require "include";\n${parts.join('\n')}\n`, ctx, { ...opts, loadScript: load });

  function load(name: string, location: 'personal' | 'global'): string | undefined {
    if (location === 'global') return globals.find((s) => s.name === name)?.content;
    return chain.user?.name === name ? chain.user.content : chain.personal(name);
  }
}

/** A stored script that no longer compiles (e.g. after an engine change) fails inside runSieve instead. */
function safeCompile(s: NamedScript): CompiledScript | undefined {
  try {
    return compileCached(s);
  } catch {
    return undefined;
  }
}
