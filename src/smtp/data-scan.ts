import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { afterDrain } from '../core/drain.js';

type Done = (err?: Error | null) => void;

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const LINE_DOT = Buffer.from('\n.');
/** Bytes held back from each chunk so a terminator or escape split across chunks is still seen. */
const HELD = 4;

/**
 * smtp-server finds the end of DATA and its escape dots by testing every byte of the message in
 * JavaScript; at 100 KB that loop was the SMTP thread's largest single cost (3.5% of the whole
 * server's CPU under smtp-source load). This version jumps from one line-leading dot to the next
 * with Buffer#indexOf and otherwise keeps the engine's contract: the same bytes reach the data
 * stream (src/smtp/data-scan.fuzz.test.ts compares the two on random input and chunking), a dot
 * escape still yields to the event loop, and a full data stream still holds the socket back.
 */
export function scanData(this: SMTPStream, input: Buffer, done: Done): void {
  const out = this._dataStream!;
  const held = this._lastBytes;
  let chunk = held && held.length ? Buffer.concat([held, input]) : input;
  this._lastBytes = false;

  if (this._atDataStart) {
    if (chunk.length >= 3 && chunk[0] === DOT && chunk[1] === CR && chunk[2] === LF)
      return this._endDataMode(false, chunk.subarray(3), done);
    if (chunk.length >= 2 && chunk[0] === DOT && chunk[1] === DOT) {
      chunk = chunk.subarray(1);
      this._atDataStart = false;
    }
  }

  // A line-leading dot needs the CR LF before it and two bytes after it to be judged.
  for (
    let lf = chunk.indexOf(LINE_DOT, 1);
    lf >= 0 && lf + 3 < chunk.length;
    lf = chunk.indexOf(LINE_DOT, lf + 1)
  ) {
    const dot = lf + 1;
    if (chunk[lf - 1] === CR && chunk[dot + 1] === CR && chunk[dot + 2] === LF) {
      const body = chunk.subarray(0, dot);
      this._countDataBytes(body.length);
      return this._endDataMode(body, chunk.subarray(dot + 3), done);
    }
    if (chunk[dot + 1] === DOT) {
      const before = chunk.subarray(0, dot);
      this._countDataBytes(before.length);
      if (out.writable) out.write(before);
      const rest = chunk.subarray(dot + 1);
      setImmediate(() => this._feedDataStream(rest, done));
      return;
    }
  }

  const keep = Math.min(HELD, chunk.length);
  this._lastBytes = chunk.subarray(chunk.length - keep);
  if (keep === chunk.length) return done();
  const ready = chunk.subarray(0, chunk.length - keep);
  this._countDataBytes(ready.length);
  if (!out.writable || out.write(ready) || out.destroyed) return done();
  afterDrain(out, done);
}
