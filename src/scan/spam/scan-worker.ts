// Worker thread body for SpamScanner: loads the rules once, scans messages, and reaches the
// Bayes and reputation stores (which live on the main thread) through small RPC messages.
import { parentPort, workerData } from 'node:worker_threads';
import type { BayesStore } from './bayes.js';
import { loadRuleset, parseCf } from './cf-parser.js';
import type { CfSource } from './cf-parser.js';
import { SpamEngine } from './engine.js';
import { SpamFilter } from './filter.js';
import type { CheckOptions } from './filter.js';
import type { ReputationStore } from './reputation.js';

export interface WorkerInit {
  rules: string[] | CfSource[];
  disabled: string[];
  progress: SharedArrayBuffer;
  bayes: boolean;
  reputation: boolean;
}

export type ToWorker =
  | { type: 'scan'; id: number; raw: Uint8Array; opts: Omit<CheckOptions, 'progress'> }
  | { type: 'rpc-reply'; rid: number; value?: unknown; error?: string }
  | { type: 'disable'; names: string[] };

export type FromWorker =
  | { type: 'ready'; ruleNames: string[] }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string }
  | { type: 'rpc'; rid: number; store: 'bayes' | 'reputation'; method: string; args: unknown[] };

const port = parentPort!;
const init = workerData as WorkerInit;
const progress = new Int32Array(init.progress);
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextRid = 0;

function rpc(store: 'bayes' | 'reputation', method: string, args: unknown[]): Promise<unknown> {
  const rid = nextRid++;
  return new Promise((resolve, reject) => {
    pending.set(rid, { resolve, reject });
    port.postMessage({ type: 'rpc', rid, store, method, args } satisfies FromWorker);
  });
}

function proxy<T>(store: 'bayes' | 'reputation', methods: string[]): T {
  return Object.fromEntries(methods.map((m) => [m, (...args: unknown[]) => rpc(store, m, args)])) as T;
}

const ruleset =
  typeof init.rules[0] === 'string' ? loadRuleset(init.rules as string[]) : parseCf(init.rules as CfSource[]);
const stores = {
  bayes: init.bayes ? proxy<BayesStore>('bayes', ['totals', 'tokens', 'seen', 'apply']) : undefined,
  reputation: init.reputation ? proxy<ReputationStore>('reputation', ['get', 'add']) : undefined,
};
function build(disabled: string[]): SpamFilter {
  const engine = new SpamEngine(ruleset, new Set(disabled));
  engine.warmUp('eager');
  return new SpamFilter(engine, stores);
}
let filter = build(init.disabled);
// the prefiltered rules compile in slices between messages, after the worker says it is ready
const warmRest = (): void => {
  if (!filter.engine.warmUp('rest', 20)) setImmediate(warmRest);
};

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'rpc-reply') {
    const p = pending.get(msg.rid);
    pending.delete(msg.rid);
    if (msg.error !== undefined) p?.reject(new Error(msg.error));
    else p?.resolve(msg.value);
  } else if (msg.type === 'disable') {
    filter = build(msg.names);
  } else {
    filter
      .check(Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength), { ...msg.opts, progress })
      .then((result) => port.postMessage({ type: 'result', id: msg.id, result } satisfies FromWorker))
      .catch((e: Error) =>
        port.postMessage({ type: 'error', id: msg.id, message: e.message } satisfies FromWorker),
      );
  }
});
port.postMessage({ type: 'ready', ruleNames: filter.engine.ruleNames } satisfies FromWorker);
setImmediate(warmRest);
