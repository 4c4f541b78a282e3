import { PassThrough } from 'node:stream';
import { afterDrain } from '../core/drain.js';

/**
 * CHUNKING (RFC 3030): `BDAT <size> [LAST]` for smtp-server, which has no BDAT of its own.
 *
 * The message goes to the same onData handler as DATA, as one stream fed chunk by chunk: the
 * first BDAT of a transaction opens it and calls onData, every chunk's bytes are written to it
 * as they arrive (with backpressure), BDAT LAST ends it and the handler's verdict is the reply.
 *
 * Every BDAT with a well-formed size is read in full before it is answered, even when it is
 * refused (no RCPT yet, an earlier chunk already failed), because the client sends the bytes
 * anyway and they must not be read as commands (RFC 3030 §2). Once the message has failed,
 * each further chunk is discarded and answered with the same refusal until LAST ends the
 * transaction. A BDAT whose size cannot be read leaves the stream out of step: 501 and close.
 */

/** The parts of smtp-server's command parser (SMTPStream) that BDAT drives. */
interface Parser {
  _dataMode: boolean;
  _feedDataStream(chunk: Buffer, done: (err?: Error) => void): void;
  _write(chunk: Buffer, encoding: string, done: (err?: Error) => void): void;
  isClosed: boolean;
}

type DataStream = PassThrough & { byteLength: number; sizeExceeded: boolean };
type Reply = { code: number; text: string };

/** The BDAT transaction of a connection, between its first chunk and LAST. */
interface Transfer {
  stream: DataStream;
  /** onData's verdict, once it has called back. */
  verdict: Reply | null;
  /** Called with the verdict once onData calls back (set while LAST waits for it). */
  waiting: ((r: Reply) => void) | null;
}

export interface BdatConnection {
  send(code: number, data: unknown, context?: unknown): void;
  close(): void;
  _parser: Parser | false;
  _dataStream: DataStream | false | null;
  _transactionCounter: number;
  _unrecognizedCommands: number;
  _resetSession(): void;
  _server: {
    options: { size?: number };
    onData(stream: DataStream, session: unknown, cb: (err?: Error | null, message?: unknown) => void): void;
  };
  session: { envelope: { rcptTo: unknown[] } };
  __bdat?: Transfer | null;
}

const SYNTAX = /^BDAT +(\d{1,15})( +LAST)? *$/i;

function verdictOf(err: (Error & { responseCode?: number }) | null | undefined, message: unknown): Reply {
  if (err) return { code: err.responseCode ?? 450, text: err.message };
  return { code: 250, text: typeof message === 'string' ? message : '2.0.0 Ok: message queued' };
}

/**
 * Reads the next `size` bytes off the parser's input into `sink`, then calls `after` with a
 * function that hands the rest of the input back to command parsing: nothing after the chunk
 * is read as a command before the chunk is answered. `callback` is the command's own.
 */
function readChunk(
  parser: Parser,
  size: number,
  callback: () => void,
  sink: (part: Buffer, next: () => void) => void,
  after: (resume: () => void) => void,
): void {
  if (size === 0) return after(callback);
  let left = size;
  parser._dataMode = true;
  parser._feedDataStream = (chunk, done) => {
    const part = chunk.subarray(0, left);
    const rest = chunk.subarray(part.length);
    left -= part.length;
    sink(part, () => {
      if (left > 0) return done();
      parser._dataMode = false;
      delete (parser as Partial<Parser>)._feedDataStream;
      after(() => (rest.length ? parser._write(rest, 'buffer', done) : done()));
    });
  };
  callback();
}

/** Aborts a BDAT transaction that RSET, EHLO or STARTTLS cut short: nothing of it is kept. */
export function abortBdat(conn: BdatConnection): void {
  const t = conn.__bdat;
  if (!t) return;
  conn.__bdat = null;
  if (conn._dataStream === t.stream) conn._dataStream = false;
  if (!t.stream.destroyed) t.stream.destroy(new Error('BDAT transaction reset before LAST'));
}

export function handleBdat(this: BdatConnection, command: Buffer, callback: () => void): void {
  const parser = this._parser;
  if (!parser) return callback();
  const m = SYNTAX.exec(command.toString('latin1'));
  if (!m) {
    this.send(501, '5.5.4 Syntax: BDAT <size> [LAST]; closing, the input is out of step');
    this.close();
    return callback();
  }
  const size = Number(m[1]);
  const last = !!m[2];

  if (!this.session.envelope.rcptTo.length && !this.__bdat) {
    return readChunk(
      parser,
      size,
      callback,
      (_p, next) => next(),
      (resume) => {
        this.send(503, '5.5.1 Error: need RCPT command');
        resume();
      },
    );
  }

  let t = this.__bdat;
  if (!t) {
    const stream = Object.assign(new PassThrough(), { byteLength: 0, sizeExceeded: false }) as DataStream;
    const transfer: Transfer = { stream, verdict: null, waiting: null };
    t = this.__bdat = transfer;
    this._dataStream = stream;
    this._server.onData(stream, this.session, (err, message) => {
      transfer.verdict = verdictOf(err, message);
      transfer.waiting?.(transfer.verdict);
    });
  }
  const transfer = t;
  const limit = Number(this._server.options.size) || Infinity;
  const sink = (part: Buffer, next: () => void) => {
    const s = transfer.stream;
    s.byteLength += part.length;
    if (s.byteLength > limit) s.sizeExceeded = true;
    if (transfer.verdict || s.destroyed || s.writableEnded) return next();
    if (s.write(part)) return next();
    afterDrain(s, next);
  };

  readChunk(parser, size, callback, sink, (resume) => {
    if (this.__bdat !== transfer) return resume();
    if (!last) {
      const v = transfer.verdict;
      if (v && v.code >= 400) this.send(v.code, v.text);
      else this.send(250, `2.0.0 ${size} octets received`);
      return resume();
    }
    const reply = (v: Reply) => {
      transfer.waiting = null;
      this.__bdat = null;
      this._dataStream = false;
      this.send(v.code, v.text, v.code === 250 ? 'DATA_OK' : undefined);
      this._transactionCounter++;
      this._unrecognizedCommands = 0;
      this._resetSession();
      resume();
    };
    if (!transfer.stream.writableEnded && !transfer.stream.destroyed) transfer.stream.end();
    if (transfer.verdict) reply(transfer.verdict);
    else transfer.waiting = reply;
  });
}
