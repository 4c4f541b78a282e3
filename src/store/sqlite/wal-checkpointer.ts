import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';

export const COMMITS = 0;
export const STOP = 1;
export const ASKED = 2;
export const ANSWERED = 3;

export interface CheckpointWorkerData {
  file: string;
  /**
   * Int32 slots: COMMITS (commits made so far), STOP (1 once the worker must end), ASKED (passes
   * asked for), ANSWERED (the ASKED value the last pass began after).
   */
  signals: SharedArrayBuffer;
  intervalMs: number;
}

/** The wal-index header is in the machine's byte order. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** How long a writer waits for a pass it asked for before it goes on without it. */
const PASS_WAIT_MS = 2000;

/**
 * Checkpoints the WAL of a busy connection from a worker thread. SQLite's automatic checkpoint
 * runs inside a commit, on the committing thread: every thousand pages one commit copied them
 * into the database file and fsynced it, holding the event loop for up to 120 ms (SMTP load,
 * 20 sessions). The worker does the same copy on another core while the server goes on.
 */
export class WalCheckpointer {
  private readonly signals = new Int32Array(new SharedArrayBuffer(16));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  /** WAL length when the writer last made way for a full pass (0: it has started over since). */
  private drainedAt = 0;
  /** The WAL's shared-memory index, whose header holds the WAL's length (opened at first need). */
  private shm: number | undefined;
  private ended = false;
  private readonly shmFile: string;
  private readonly header = Buffer.alloc(4);

  /**
   * `failed` runs if the worker dies: the caller must then checkpoint by itself again.
   * `restartFrames`: the WAL length at which the writer makes way for it to start over (below).
   */
  constructor(
    file: string,
    failed: (e: Error) => void,
    intervalMs = 200,
    private readonly restartFrames = 16_384,
  ) {
    this.shmFile = `${file}-shm`;
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
    void this.exited
      .catch(() => undefined)
      .finally(() => {
        this.ended = true;
        if (this.shm !== undefined) closeSync(this.shm);
      });
  }

  /** Called after each commit; wakes the worker when it waits. */
  committed(): void {
    Atomics.add(this.signals, COMMITS, 1);
    Atomics.notify(this.signals, COMMITS);
  }

  /**
   * Called by the writer, holding the connection, before it begins a transaction. SQLite writes
   * the WAL from its start again only when a writer begins after a checkpoint that left nothing
   * behind; under steady load a commit always lands during the pass, so the WAL file (and the page
   * cache holding it) grew without end: 440 MB in 16 s of 100 KB mail at 20 sessions.
   * Once the WAL is `restartFrames` long, the writer waits for a pass that begins after this
   * call: with no commit in between, it copies everything and the coming commit starts over.
   */
  async makeWay(): Promise<void> {
    const frames = this.walFrames();
    if (frames < this.drainedAt) this.drainedAt = 0;
    // A reader holding an old snapshot can keep the WAL from starting over; then wait for more growth.
    if (frames < this.drainedAt + this.restartFrames) return;
    this.drainedAt = frames;
    const asked = Atomics.add(this.signals, ASKED, 1) + 1;
    Atomics.notify(this.signals, ASKED);
    this.committed();
    const end = Date.now() + PASS_WAIT_MS;
    // A pending Atomics.waitAsync does not keep the process alive; this timer does.
    const alive = setTimeout(() => undefined, PASS_WAIT_MS);
    try {
      for (let answered = Atomics.load(this.signals, ANSWERED); answered < asked;) {
        const left = end - Date.now();
        if (left <= 0) return;
        const w = Atomics.waitAsync(this.signals, ANSWERED, answered, left);
        if (w.async) await w.value;
        answered = Atomics.load(this.signals, ANSWERED);
      }
    } finally {
      clearTimeout(alive);
    }
  }

  /**
   * mxFrame of the wal-index header (offset 16, native byte order; sqlite.org/walformat.html):
   * exact at every commit, where a figure reported by the worker lagged a pass behind.
   */
  private walFrames(): number {
    if (this.ended) return 0;
    // SQLite creates the index with the connection's first transaction; it stays while that is open.
    if (this.shm === undefined) {
      if (!existsSync(this.shmFile)) return 0;
      this.shm = openSync(this.shmFile, 'r');
    }
    readSync(this.shm, this.header, 0, 4, 16);
    return LITTLE_ENDIAN ? this.header.readUInt32LE(0) : this.header.readUInt32BE(0);
  }

  /** Ends the worker after its pass in progress, if any. */
  async stop(): Promise<void> {
    Atomics.store(this.signals, STOP, 1);
    // A changed value, not only a notification: the worker may be just about to rest.
    Atomics.add(this.signals, ASKED, 1);
    Atomics.notify(this.signals, ASKED);
    this.committed();
    // Unreferenced, the worker alone would not keep this process waiting for it.
    this.worker.ref();
    await this.exited.catch(() => undefined);
  }
}
