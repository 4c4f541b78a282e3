import { mkdirSync, openSync, writeSync, closeSync, fsync, fsyncSync, fstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeliveryRecord } from './delivery-record.js';

/**
 * The append-only delivery log. Lines are written with O_APPEND in one write each, so concurrent
 * writers (server and CLI) never interleave within a line. Flushed to disk on close and every
 * `syncEveryMs`; the queue, not this log, is what makes mail durable. When the file is rotated
 * (renamed) the writer notices at the next flush and continues in a new file at the old path.
 */
export class DeliveryLog {
  private fd: number | undefined;
  private dirty = false;
  private syncing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly file: string,
    syncEveryMs = 1000,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, 'a', 0o640);
    // The periodic flush runs on the thread pool: an fsync on the event loop stalls every socket.
    this.timer = setInterval(() => {
      if (this.fd === undefined || this.syncing) return;
      if (!this.dirty) return this.reopenIfRotated();
      const fd = this.fd;
      this.syncing = true;
      this.dirty = false;
      fsync(fd, () => {
        this.syncing = false;
        // Reopened only once no flush uses the old descriptor.
        if (this.fd === fd) this.reopenIfRotated();
      });
    }, syncEveryMs);
    this.timer.unref();
  }

  write(rec: DeliveryRecord): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, JSON.stringify(rec) + '\n');
    this.dirty = true;
  }

  flush(): void {
    if (this.fd !== undefined && this.dirty) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  private reopenIfRotated(): void {
    if (this.fd === undefined) return;
    let rotated: boolean;
    try {
      rotated = statSync(this.file).ino !== fstatSync(this.fd).ino;
    } catch {
      rotated = true;
    }
    if (!rotated) return;
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a', 0o640);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
