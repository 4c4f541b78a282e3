import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ANSWERED, ASKED, COMMITS, STOP, type CheckpointWorkerData } from './wal-checkpointer.js';

/*
 * Copies committed WAL frames into the database file on its own thread and connection. PASSIVE
 * never waits for the server's readers or writers, so the event loop never stalls on it.
 */
const { file, signals, intervalMs } = workerData as CheckpointWorkerData;
const shared = new Int32Array(signals);
// PASSIVE never calls the busy handler; the timeout covers the brief locks around it, which
// would otherwise throw and end the worker (the server then falls back to checkpointing itself).
const db = new Database(file, { timeout: 1000 });
// A pending Atomics.waitAsync does not keep a worker alive; the port does, until the worker ends.
parentPort!.on('message', () => undefined);

// A pass at once: a writer may have asked for one before this thread was running.
let seen = Atomics.load(shared, COMMITS) - 1;
while (!Atomics.load(shared, STOP)) {
  const waiting = Atomics.waitAsync(shared, COMMITS, seen);
  if (waiting.async) await waiting.value;
  if (Atomics.load(shared, STOP)) break;
  seen = Atomics.load(shared, COMMITS);
  // Read before the pass: a request made after this is answered by the next pass.
  const asked = Atomics.load(shared, ASKED);
  db.pragma('wal_checkpoint(PASSIVE)');
  Atomics.store(shared, ANSWERED, asked);
  Atomics.notify(shared, ANSWERED);
  // Commits arriving meanwhile are taken by the next pass: one pass per interval at most, unless asked.
  const resting = Atomics.waitAsync(shared, ASKED, asked, intervalMs);
  if (resting.async) await resting.value;
}
db.close();
parentPort!.close();
