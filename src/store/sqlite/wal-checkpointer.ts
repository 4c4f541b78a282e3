import { Worker } from 'node:worker_threads';

export const COMMITS = 0;
export const STOP = 1;

export interface CheckpointWorkerData {
  file: string;
  /** Int32 slots: COMMITS (commits made so far), STOP (1 once the worker must end). */
  signals: SharedArrayBuffer;
  intervalMs: number;
}

/**
 * Checkpoints the WAL of a busy connection from a worker thread. SQLite's automatic checkpoint
 * runs inside a commit, on the committing thread: every thousand pages one commit copied them
 * into the database file and fsynced it, holding the event loop for up to 120 ms (SMTP load,
 * 20 sessions). The worker does the same copy on another core while the server goes on.
 */
export class WalCheckpointer {
  private readonly signals = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  /** `failed` runs if the worker dies: the caller must then checkpoint by itself again. */
  constructor(file: string, failed: (e: Error) => void, intervalMs = 200) {
    const data: CheckpointWorkerData = {
      file,
      signals: this.signals.buffer as SharedArrayBuffer,
      intervalMs,
    };
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: data });
    // It must not keep a finished process alive, nor die silently: a stopped checkpointer lets the WAL grow.
    this.worker.unref();
    this.exited = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('exit', (code) =>
        Atomics.load(this.signals, STOP)
          ? resolve()
          : reject(new Error(`WAL checkpoint worker ended unasked (exit code ${code})`)),
      );
    });
    this.exited.catch(failed);
  }

  /** Called after each commit; wakes the worker when it waits. */
  committed(): void {
    Atomics.add(this.signals, COMMITS, 1);
    Atomics.notify(this.signals, COMMITS);
  }

  /** Ends the worker after its pass in progress, if any. */
  async stop(): Promise<void> {
    Atomics.store(this.signals, STOP, 1);
    Atomics.notify(this.signals, STOP);
    this.committed();
    // Unreferenced, the worker alone would not keep this process waiting for it.
    this.worker.ref();
    await this.exited.catch(() => undefined);
  }
}
