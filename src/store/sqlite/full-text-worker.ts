import { parentPort, workerData } from 'node:worker_threads';
import { ThreadRpc, type RpcPort } from '../../core/thread-rpc.js';
import {
  applyItems,
  markQueuedAll,
  openFullTextFile,
  resetIndex,
  textLength,
  type FullTextItem,
} from './full-text-file.js';

/**
 * Writes the full-text index on its own thread and connection: tokenizing and FTS5 segment
 * merges stay off the event loop, and calls that arrive while a batch is written go in the next
 * batch together (one transaction, one segment).
 */
const { file } = workerData as { file: string };
const db = openFullTextFile(file);

/** Texts per transaction at most: a bound on the batch's memory and on how long a flush waits. */
const MAX_ITEMS = 500;
const MAX_CHARS = 32 << 20;

interface Waiting {
  items: FullTextItem[];
  done(): void;
  failed(e: unknown): void;
}
const queue: Waiting[] = [];
let scheduled = false;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // After the messages already delivered to this thread: they join the batch.
  setImmediate(run);
}

function run(): void {
  scheduled = false;
  const batch: Waiting[] = [];
  let items = 0;
  let chars = 0;
  while (queue.length && (batch.length === 0 || (items < MAX_ITEMS && chars < MAX_CHARS))) {
    const w = queue.shift()!;
    batch.push(w);
    for (const it of w.items) {
      items++;
      chars += textLength(it);
    }
  }
  try {
    applyItems(
      db,
      batch.flatMap((w) => w.items),
    );
    for (const w of batch) w.done();
  } catch (e) {
    for (const w of batch) w.failed(e);
  }
  if (queue.length) schedule();
}

new ThreadRpc(parentPort as unknown as RpcPort, {
  apply(items: FullTextItem[]): Promise<void> {
    return new Promise((done, failed) => {
      queue.push({ items, done, failed });
      schedule();
    });
  },
  reset(): void {
    resetIndex(db);
  },
  queuedAll(): void {
    markQueuedAll(db);
  },
  close(): void {
    db.close();
    // After the answer to this call has gone out.
    setImmediate(() => parentPort!.close());
  },
});
