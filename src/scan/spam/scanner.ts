// SpamScanner: a pool of worker threads running the rules, so no message blocks the event loop.
// A scan that overruns its time limit gets its worker killed; the rule it was in is disabled
// from then on (reported in `timedOutRules`) and the message is scanned again without it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BayesStore } from './bayes.js';
import type { CfSource } from './cf-parser.js';
import type { SpamResult } from './engine.js';
import type { CheckOptions } from './filter.js';
import type { ReputationStore } from './reputation.js';
import type { FromWorker, ToWorker, WorkerInit } from './scan-worker.js';

export interface SpamScannerOptions {
  /** .cf files/directories, or sources already read */
  rules: string[] | CfSource[];
  poolSize?: number;
  /** per-message limit in ms (default 10 s) */
  timeoutMs?: number;
  bayesStore?: BayesStore;
  reputationStore?: ReputationStore;
}

interface Task {
  raw: Buffer;
  opts: Omit<CheckOptions, 'progress'>;
  attempts: number;
  timedOut: string[];
  resolve: (r: SpamResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  progress: Int32Array;
  ruleNames: string[];
  ready: Promise<void>;
  task?: Task;
  timer?: NodeJS.Timeout;
}

export class SpamScanner {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly disabled = new Set<string>();
  private readonly timeoutMs: number;
  private nextId = 0;
  private closed = false;

  constructor(private readonly opts: SpamScannerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    const n = Math.max(1, opts.poolSize ?? availableParallelism());
    for (let i = 0; i < n; i++) this.slots.push(this.spawn());
  }

  /** Resolves once every worker has loaded its rules. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Rules disabled after running past the time limit. */
  get timedOutRules(): string[] {
    return [...this.disabled];
  }

  scan(raw: Buffer, opts: Omit<CheckOptions, 'progress'> = {}): Promise<SpamResult> {
    if (this.closed) return Promise.reject(new Error('SpamScanner is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ raw, opts, attempts: 0, timedOut: [], resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('SpamScanner closed'));
    await Promise.all(
      this.slots.map((s) => {
        clearTimeout(s.timer);
        s.task?.reject(new Error('SpamScanner closed'));
        return s.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const sab = new SharedArrayBuffer(4);
    const init: WorkerInit = {
      rules: this.opts.rules,
      disabled: [...this.disabled],
      progress: sab,
      bayes: !!this.opts.bayesStore,
      reputation: !!this.opts.reputationStore,
    };
    const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: init });
    let markReady!: () => void;
    const slot: Slot = {
      worker,
      progress: new Int32Array(sab),
      ruleNames: [],
      ready: new Promise((r) => (markReady = r)),
    };
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m, markReady));
    worker.on('error', (e) => this.fail(slot, e));
    return slot;
  }

  private onMessage(slot: Slot, m: FromWorker, markReady: () => void): void {
    if (m.type === 'ready') {
      slot.ruleNames = m.ruleNames;
      markReady();
      this.pump();
    } else if (m.type === 'rpc') {
      void this.serveRpc(slot, m);
    } else {
      const task = slot.task;
      clearTimeout(slot.timer);
      slot.task = undefined;
      if (task && m.type === 'result') {
        const result = m.result as SpamResult;
        if (task.timedOut.length) result.timedOutRules = task.timedOut;
        task.resolve(result);
      } else if (task && m.type === 'error') task.reject(new Error(m.message));
      this.pump();
    }
  }

  private async serveRpc(slot: Slot, m: Extract<FromWorker, { type: 'rpc' }>): Promise<void> {
    const store = (m.store === 'bayes'
      ? this.opts.bayesStore
      : this.opts.reputationStore) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    let reply: ToWorker;
    try {
      reply = { type: 'rpc-reply', rid: m.rid, value: await store[m.method]!(...m.args) };
    } catch (e) {
      reply = { type: 'rpc-reply', rid: m.rid, error: (e as Error).message };
    }
    if (this.slots.includes(slot)) slot.worker.postMessage(reply);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task || !slot.ruleNames.length || !this.queue.length) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      task.attempts++;
      slot.progress[0] = -1;
      slot.timer = setTimeout(() => this.onTimeout(slot), this.timeoutMs);
      // one copy, handed over rather than cloned again: the caller's buffer may be shared (the
      // recent-blob cache) and is scanned again if this worker is replaced
      const raw = new Uint8Array(task.raw);
      slot.worker.postMessage({ type: 'scan', id: this.nextId++, raw, opts: task.opts } satisfies ToWorker, [
        raw.buffer,
      ]);
    }
  }

  private onTimeout(slot: Slot): void {
    const task = slot.task;
    const idx = Atomics.load(slot.progress, 0);
    const rule = idx >= 0 ? slot.ruleNames[idx] : undefined;
    const retry = !!task && !!rule && task.attempts < 3;
    if (retry) {
      this.disabled.add(rule);
      task.timedOut.push(rule);
      for (const s of this.slots)
        if (s !== slot && s.ruleNames.length)
          s.worker.postMessage({ type: 'disable', names: [...this.disabled] } satisfies ToWorker);
    }
    // the replacement worker starts with the rule already disabled
    this.replace(slot);
    if (retry) this.queue.unshift(task);
    else task?.reject(new Error(`spam scan exceeded ${this.timeoutMs} ms`));
  }

  private fail(slot: Slot, e: Error): void {
    const task = slot.task;
    this.replace(slot);
    task?.reject(e);
  }

  private replace(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.task = undefined;
    void slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
  }
}
