import { closeSync, fstatSync, fsync, openSync } from 'node:fs';
import { promisify } from 'node:util';

const fsyncAsync = promisify(fsync);

/**
 * Makes SQLite commits durable without blocking the event loop. The connection runs WAL with
 * synchronous=NORMAL, which writes each commit to the WAL file but leaves out the one fsync that
 * synchronous=FULL adds after every commit; this class does that fsync on the thread pool
 * instead, before the caller is told the commit is done. Durability is therefore FULL's (power
 * loss included), while the event loop keeps serving sockets during the flush, and commits that
 * land during one flush share the next.
 */
export class WalSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private fd: number | undefined;

  constructor(private readonly walFile: string) {}

  /** Resolves once everything the connection committed before this call is on disk. */
  durable(): Promise<void> {
    if (!this.running) {
      this.running = this.flush().finally(() => (this.running = undefined));
      return this.running;
    }
    // The flush under way may have started before our commit was written: wait for the next
    // one, shared by every caller that arrives meanwhile.
    this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.durable();
    });
    return this.next;
  }

  /**
   * The WAL file stays open between flushes. SQLite deletes it only when the last connection
   * closes, which cannot happen while ours is open; should it be gone anyway (unlinked: no links
   * left), the next flush opens the new one.
   */
  private async flush(): Promise<void> {
    if (this.fd !== undefined && fstatSync(this.fd).nlink === 0) this.close();
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.walFile, 'r');
      } catch (e) {
        // No WAL file: the last checkpoint moved every commit into the (synced) database file.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
    }
    await fsyncAsync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
