import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { abortBdat, handleBdat, type BdatConnection } from './bdat.js';
import { scanData } from './data-scan.js';

/**
 * Changes to smtp-server's connection and its input stream, applied once per process:
 *
 * - Enhanced status codes. The engine derives one from the reply code alone (554 → 5.6.0 even for
 *   "relay access denied", which is 5.7.1). Our replies carry their exact code from the policy as
 *   `X.Y.Z text`; such text is sent without a second, guessed code. The engine's own replies keep
 *   its codes.
 * - Greeting pause. The engine always waits 100 ms before the greeting to catch clients that talk
 *   too soon; with one message per connection that caps a session at ten messages a second. The
 *   pause comes from the server option `greetPause` (smtp.greet_pause), 0 for none.
 * - Bare addresses. The engine refuses `MAIL FROM:<alice>` as a syntax error before any handler
 *   sees it; for a logged-in client the default domain (server option `bareAddressDomain`) is
 *   appended first, as a submission server should (RFC 6409 §8.1).
 * - Replies leave in batches. The engine writes each reply to the socket at once; with PIPELINING a
 *   client sends MAIL, a hundred RCPTs and DATA in one go, and a write per reply was a system call
 *   per recipient (about 5% of the server's CPU in the outbound bench). Replies made in one turn
 *   of the event loop now leave in one write at its end, as Postfix's smtpd flushes its output when
 *   it has read all pending input. Greetings, STARTTLS's 220 and closing replies are not held.
 * - DATA is scanned for its end and escape dots with indexOf, not byte by byte (./data-scan.ts).
 * - CHUNKING (RFC 3030): a BDAT command (./bdat.ts) advertised in EHLO unless the session
 *   disables it; DATA inside a BDAT transfer is refused with 503 5.5.1, and whatever resets
 *   the transaction (RSET, EHLO, STARTTLS) drops a transfer that has not reached LAST.
 */
interface Connection {
  send(code: number, data: unknown, context?: unknown): void;
  _socket?: { cork(): void; uncork(): void };
  __corked?: boolean;
  init(): void;
  connectionReady(): void;
  _setListeners(cb: () => void): void;
  _parseAddressCommand(name: string, command: unknown): unknown;
  _isSupported(command: string): boolean;
  _resetSession(): void;
  handler_EHLO(command: Buffer, callback: () => void): void;
  handler_DATA(command: Buffer, callback: () => void): void;
  handler_BDAT(command: Buffer, callback: () => void): void;
  _server: {
    options: { maxClients?: number; greetPause?: number; bareAddressDomain?: () => string };
    connections: Set<unknown>;
  };
  session: { user?: unknown };
  name: string;
}

const BARE = /^(\s*(?:MAIL\s+FROM|RCPT\s+TO)\s*:\s*<)([^@<>\s"]+)>/i;

const proto = SMTPConnection.prototype as unknown as Connection & { __mailsteadPatched?: boolean };
const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;

if (!proto.__mailsteadPatched) {
  const send = proto.send;
  proto.send = function (this: Connection, code: number, data: unknown, context?: unknown) {
    const socket = this._socket;
    if (code === 220 || code === 221 || code === 421) {
      // What is held goes first: STARTTLS's 220 precedes the handshake, the others the close.
      if (this.__corked) {
        this.__corked = false;
        socket?.uncork();
      }
    } else if (socket && !this.__corked) {
      this.__corked = true;
      socket.cork();
      setImmediate(() => {
        this.__corked = false;
        socket.uncork();
      });
    }
    return send.call(this, code, data, typeof data === 'string' && ENHANCED.test(data) ? false : context);
  };
  proto.init = function (this: Connection) {
    this._setListeners(() => {
      const { maxClients, greetPause } = this._server.options;
      if (maxClients && this._server.connections.size > maxClients)
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      const pause = greetPause ?? 100;
      if (pause <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), pause).unref();
    });
  };
  const parse = proto._parseAddressCommand;
  proto._parseAddressCommand = function (this: Connection, name: string, command: unknown) {
    const domain = this.session.user ? this._server.options.bareAddressDomain?.() : undefined;
    return parse.call(this, name, domain ? String(command).replace(BARE, `$1$2@${domain}>`) : command);
  };
  proto.handler_BDAT = handleBdat as unknown as Connection['handler_BDAT'];
  const ehlo = proto.handler_EHLO;
  proto.handler_EHLO = function (this: Connection, command: Buffer, callback: () => void) {
    if (!this._isSupported('BDAT')) return ehlo.call(this, command, callback);
    // The engine lists its own extensions; CHUNKING joins the list on its way out.
    const own = this.send;
    this.send = (code, data, context) =>
      own.call(this, code, code === 250 && Array.isArray(data) ? [...data, 'CHUNKING'] : data, context);
    try {
      ehlo.call(this, command, callback);
    } finally {
      delete (this as Partial<Connection>).send;
    }
  };
  const data = proto.handler_DATA;
  proto.handler_DATA = function (this: Connection & BdatConnection, command: Buffer, callback: () => void) {
    if (!this.__bdat) return data.call(this, command, callback);
    this.send(503, '5.5.1 Error: DATA cannot follow BDAT in one message');
    callback();
  };
  const reset = proto._resetSession;
  proto._resetSession = function (this: Connection & BdatConnection) {
    abortBdat(this);
    reset.call(this);
  };
  SMTPStream.prototype._feedDataStream = scanData;
  proto.__mailsteadPatched = true;
}
