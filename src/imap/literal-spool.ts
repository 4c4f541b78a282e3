import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A large APPEND literal as it arrives, written to a temporary file so a session never holds a
 * message in memory; the receiver streams it before the command is complete. A spool that is not
 * `accepting` (no one logged in) reads and drops the bytes.
 */
export class LiteralSpool {
  private readonly path: string;
  private readonly file: WriteStream | null;
  private finished: Promise<void> = Promise.resolve();
  size = 0;

  constructor(
    readonly index: number,
    accepting: boolean,
  ) {
    this.path = join(tmpdir(), `mailstead-append-${randomUUID()}`);
    this.file = accepting ? createWriteStream(this.path, { flags: 'wx' }) : null;
    this.file?.on('error', () => undefined);
  }

  async write(data: Buffer): Promise<void> {
    this.size += data.length;
    const file = this.file;
    if (file && !file.write(data))
      // Both listeners go once either fires: one left per drain piled up over a large literal.
      await new Promise<void>((r) => {
        const done = (): void => {
          file.off('drain', done).off('error', done);
          r();
        };
        file.once('drain', done).once('error', done);
      });
  }

  end(): void {
    const file = this.file;
    if (file)
      this.finished = new Promise<void>((resolve, reject) => file.end(() => resolve()).once('error', reject));
  }

  /** The bytes, streamed from disk in large chunks. */
  async open(): Promise<AsyncIterable<Buffer>> {
    await this.finished;
    return createReadStream(this.path, { highWaterMark: 256 * 1024 });
  }

  discard(): void {
    if (!this.file) return;
    this.file.destroy();
    void unlink(this.path).catch(() => undefined);
  }
}
