import type { Socket } from 'node:net';
import { TLSSocket, type TlsOptions } from 'node:tls';
import type { App } from '../../app.js';
import { MailsteadError } from '../../core/errors.js';
import { AuthError, AuthLockedError } from '../../directory/auth-error.js';
import { isScramMechanism, SCRAM_MECHANISMS, ScramError, ScramServer } from '../../directory/scram.js';
import type { Logger } from '../../log/logger.js';
import { SieveSyntaxError } from '../errors.js';
import { EXTENSIONS } from '../signatures.js';
import { decodeSaslPlain, formatResponse, formatString, parseCommand, type Argument } from './command.js';
import { drained } from '../../core/drain.js';

export interface ManageSieveSessionOptions {
  app: App;
  tlsOptions: () => TlsOptions;
  log: Logger;
  onClose: () => void;
}

/** Octets of a script literal beyond the size quota that a PUTSCRIPT may carry (quoting, CRLFs). */
const LINE_ALLOWANCE = 8192;

/**
 * One ManageSieve connection (RFC 5804): CAPABILITY and STARTTLS before login, AUTHENTICATE
 * SCRAM-SHA-256, SCRAM-SHA-1 or PLAIN, then script management for the logged-in account through app.sieve. Replies carry the
 * response codes the service's refusals name (QUOTA/MAXSIZE, NONEXISTENT, ACTIVE…).
 */
export class ManageSieveSession {
  private socket: Socket;
  private secure = false;
  private input: Buffer = Buffer.alloc(0);
  /** Octets of an oversized literal still to be dropped as they arrive. */
  private skip = 0;
  private skipLine = false;
  private busy = false;
  private closed = false;
  private account: { id: number; address: string } | null = null;
  /** Set while waiting for the client's SASL response: what to do with it. */
  private sasl: ((response: string) => Promise<void>) | null = null;

  constructor(
    socket: Socket,
    private readonly opts: ManageSieveSessionOptions,
  ) {
    this.socket = socket;
    this.attach(socket);
    void this.write(this.capabilities() + formatResponse('OK', 'Mailstead ManageSieve ready'));
  }

  private get app(): App {
    return this.opts.app;
  }

  private attach(socket: Socket): void {
    socket.setTimeout(this.app.config.get<number>('managesieve.idle_timeout'));
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('timeout', () => this.end(formatResponse('BYE', 'Idle timeout, closing')));
    socket.on('error', (e) => this.opts.log.debug({ event: 'managesieve_socket_error', err: e.message }));
    socket.on('close', () => this.finish());
  }

  private maxLiteral(): number {
    return this.app.config.get<number>('sieve.max_script_size') + LINE_ALLOWANCE;
  }

  private onData(d: Buffer): void {
    d = this.discard(d);
    this.input = this.input.length ? Buffer.concat([this.input, d]) : d;
    if (this.input.length > this.maxLiteral() * 2) {
      this.end(formatResponse('BYE', 'Too much input'));
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.closed && this.input.length) {
        const r = parseCommand(
          this.input,
          { maxLine: 8192, maxLiteral: this.maxLiteral(), maxArgs: 8 },
          this.sasl !== null,
        );
        if (r.kind === 'incomplete') break;
        this.input = this.input.subarray(r.consumed);
        if (r.kind === 'error') {
          if (r.skip) {
            this.skip = r.skip;
            this.input = this.discard(this.input);
          }
          this.sasl = null;
          await this.write(formatResponse('NO', r.message, r.skip ? 'QUOTA/MAXSIZE' : undefined));
          continue;
        }
        await this.handle(r.name, r.args);
      }
    } catch (e) {
      this.opts.log.error(
        { event: 'managesieve_error', err: (e as Error).message },
        'ManageSieve command failed',
      );
      this.end(formatResponse('BYE', 'Internal error', 'TRYLATER'));
    } finally {
      this.busy = false;
    }
  }

  /** Drops what remains of a refused literal and the rest of its command line. */
  private discard(d: Buffer): Buffer {
    if (this.skip) {
      const n = Math.min(this.skip, d.length);
      this.skip -= n;
      d = d.subarray(n);
      if (!this.skip) this.skipLine = true;
    }
    if (this.skipLine && d.length) {
      const nl = d.indexOf(0x0a);
      if (nl < 0) return Buffer.alloc(0);
      this.skipLine = false;
      d = d.subarray(nl + 1);
    }
    return d;
  }

  private write(data: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.socket.write(data)) return Promise.resolve();
    return drained(this.socket);
  }

  private end(last: string): void {
    if (this.closed) return;
    this.socket.end(last);
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.onClose();
  }

  private mechanisms(): string[] {
    return [...Object.keys(SCRAM_MECHANISMS), ...(this.plaintextAllowed() ? ['PLAIN'] : [])];
  }

  private plaintextAllowed(): boolean {
    return this.secure || this.app.config.get<boolean>('auth.allow_plaintext');
  }

  private capabilities(): string {
    const lines: [string, string?][] = [
      ['IMPLEMENTATION', 'Mailstead'],
      ['SASL', this.account ? '' : this.mechanisms().join(' ')],
      ['SIEVE', EXTENSIONS.join(' ')],
      ['NOTIFY', 'mailto'],
      ['MAXREDIRECTS', String(this.app.config.get<number>('sieve.max_redirects'))],
      ['VERSION', '1.0'],
      ['UNAUTHENTICATE'],
    ];
    if (!this.secure) lines.push(['STARTTLS']);
    if (this.account) lines.push(['OWNER', this.account.address]);
    return lines
      .map(([k, v]) => `${formatString(k)}${v === undefined ? '' : ` ${formatString(v)}`}\r\n`)
      .join('');
  }

  private async handle(name: string, args: Argument[]): Promise<void> {
    if (this.sasl) {
      const next = this.sasl;
      this.sasl = null;
      if (name === '*') return this.write(formatResponse('NO', 'Authentication cancelled'));
      return next(String(args[0]));
    }
    const str = (i: number): string | undefined =>
      typeof args[i] === 'string' ? (args[i] as string) : undefined;
    const arity = (n: number) => args.length === n && args.every((a) => typeof a === 'string');
    const bad = () => this.write(formatResponse('NO', `wrong arguments for ${name}`));
    switch (name) {
      case 'CAPABILITY':
        return this.write(this.capabilities() + formatResponse('OK', 'Capability completed'));
      case 'NOOP':
        return this.write(
          formatResponse('OK', 'Done', str(0) !== undefined ? `TAG ${formatString(str(0)!)}` : undefined),
        );
      case 'LOGOUT':
        return this.end(formatResponse('OK', 'Logout completed'));
      case 'STARTTLS':
        return this.startTls();
      case 'AUTHENTICATE': {
        if (this.account) return this.write(formatResponse('NO', 'Already authenticated'));
        const mechanism = str(0)?.toUpperCase() ?? '';
        // SCRAM never sends the password, so it needs no TLS (RFC 5804 §2.1 asks that only of PLAIN).
        if (isScramMechanism(mechanism) && args.length <= 2) {
          const start = (r: string) => this.scramStart(new ScramServer(mechanism), r);
          if (args.length === 2) return start(String(args[1]));
          this.sasl = start;
          return this.write('""\r\n');
        }
        if (!this.plaintextAllowed())
          return this.write(
            formatResponse(
              'NO',
              'Plaintext authentication is not allowed without TLS; use STARTTLS',
              'ENCRYPT-NEEDED',
            ),
          );
        if (mechanism !== 'PLAIN' || args.length > 2)
          return this.write(
            formatResponse('NO', `Unsupported SASL mechanism; use ${this.mechanisms().join(', ')}`),
          );
        if (args.length === 2) return this.login(String(args[1]));
        this.sasl = (r) => this.login(r);
        return this.write('""\r\n');
      }
    }
    if (!this.account)
      return this.write(
        formatResponse(
          'NO',
          `${name === 'UNAUTHENTICATE' || KNOWN.has(name) ? 'Authenticate first' : `Unknown command ${name}`}`,
        ),
      );
    const id = this.account.id;
    const sieve = this.app.sieve;
    try {
      switch (name) {
        case 'UNAUTHENTICATE':
          this.opts.log.info({ event: 'managesieve_logout', user: this.account.address });
          this.account = null;
          return this.write(formatResponse('OK', 'Unauthenticated'));
        case 'HAVESPACE':
          if (args.length !== 2 || typeof args[0] !== 'string' || typeof args[1] !== 'number') return bad();
          await sieve.haveSpace(id, args[0], args[1]);
          return this.write(formatResponse('OK', 'Putscript would succeed'));
        case 'PUTSCRIPT':
          if (!arity(2)) return bad();
          await sieve.putScript(id, str(0)!, str(1)!);
          return this.write(formatResponse('OK', 'Script stored'));
        case 'CHECKSCRIPT':
          if (!arity(1)) return bad();
          sieve.checkScript(str(0)!);
          return this.write(formatResponse('OK', 'Script is valid'));
        case 'LISTSCRIPTS': {
          if (!arity(0)) return bad();
          const list = await sieve.listScripts(id);
          return this.write(
            list.map((s) => `${formatString(s.name)}${s.active ? ' ACTIVE' : ''}\r\n`).join('') +
              formatResponse('OK', 'Listscripts completed'),
          );
        }
        case 'SETACTIVE':
          if (!arity(1)) return bad();
          await sieve.activate(id, str(0) || null);
          return this.write(formatResponse('OK', str(0) ? `${str(0)} is active` : 'No script is active'));
        case 'GETSCRIPT': {
          if (!arity(1)) return bad();
          const text = await sieve.getScript(id, str(0)!);
          return this.write(
            `{${Buffer.byteLength(text)}}\r\n${text}\r\n${formatResponse('OK', 'Getscript completed')}`,
          );
        }
        case 'DELETESCRIPT':
          if (!arity(1)) return bad();
          await sieve.deleteScript(id, str(0)!);
          return this.write(formatResponse('OK', 'Script deleted'));
        case 'RENAMESCRIPT':
          if (!arity(2)) return bad();
          await sieve.rename(id, str(0)!, str(1)!);
          return this.write(formatResponse('OK', 'Script renamed'));
        default:
          return this.write(formatResponse('NO', `Unknown command ${name}`));
      }
    } catch (e) {
      if (e instanceof SieveSyntaxError) return this.write(formatResponse('NO', e.message));
      if (e instanceof MailsteadError && e.imap)
        return this.write(formatResponse('NO', e.message, e.imap.code));
      throw e;
    }
  }

  private async startTls(): Promise<void> {
    if (this.secure) return this.write(formatResponse('NO', 'Already using TLS'));
    await this.write(formatResponse('OK', 'Begin TLS negotiation'));
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('close');
    // Anything pipelined after STARTTLS came in the clear and must not be trusted.
    this.input = Buffer.alloc(0);
    const tls = new TLSSocket(plain, { isServer: true, ...this.opts.tlsOptions() });
    this.socket = tls;
    this.secure = true;
    this.attach(tls);
    // RFC 5804 §2.2: the server re-issues its capabilities once TLS is up.
    tls.once(
      'secure',
      () => void this.write(this.capabilities() + formatResponse('OK', 'TLS negotiation successful')),
    );
  }

  private async login(b64: string): Promise<void> {
    const text = decodeBase64(b64);
    const creds = text === null ? null : decodeSaslPlain(text);
    if (!creds) return this.write(formatResponse('NO', 'Invalid SASL PLAIN response'));
    try {
      const account = await this.app.directory.authenticate(creds.user, creds.pass, this.authContext());
      return this.loggedIn(account, 'PLAIN');
    } catch (e) {
      return this.authFailed(e);
    }
  }

  private async scramStart(exchange: ScramServer, b64: string): Promise<void> {
    try {
      exchange.clientFirst(decodeBase64(b64) ?? '');
      const step = await this.app.directory.scram(exchange, this.authContext());
      this.sasl = async (response) => {
        try {
          const { account, serverFinal } = await step.finish(decodeBase64(response) ?? '');
          return this.loggedIn(account, exchange.mechanism, Buffer.from(serverFinal).toString('base64'));
        } catch (e) {
          return this.authFailed(e);
        }
      };
      return this.write(`${formatString(Buffer.from(step.serverFirst).toString('base64'))}\r\n`);
    } catch (e) {
      return this.authFailed(e);
    }
  }

  private authContext() {
    return { ip: this.socket.remoteAddress ?? null, protocol: 'managesieve' as const };
  }

  /** RFC 5804 §2.1: the server's last SASL data (SCRAM's signature) rides on the OK. */
  private loggedIn(
    account: { id: number; address: string },
    mechanism: string,
    data?: string,
  ): Promise<void> {
    this.account = { id: account.id, address: account.address };
    this.opts.log.info({ event: 'managesieve_login', user: account.address, mechanism });
    return this.write(formatResponse('OK', 'Logged in', data ? `SASL ${formatString(data)}` : undefined));
  }

  private authFailed(e: unknown): Promise<void> {
    if (e instanceof AuthLockedError)
      return this.write(formatResponse('NO', 'Too many failed logins; try again later', 'TRYLATER'));
    if (e instanceof AuthError) return this.write(formatResponse('NO', 'Authentication failed'));
    if (e instanceof ScramError)
      return this.write(formatResponse('NO', `Invalid SCRAM message: ${e.message}`));
    throw e;
  }
}

const KNOWN = new Set([
  'HAVESPACE',
  'PUTSCRIPT',
  'CHECKSCRIPT',
  'LISTSCRIPTS',
  'SETACTIVE',
  'GETSCRIPT',
  'DELETESCRIPT',
  'RENAMESCRIPT',
]);

/** Strict base64 (RFC 4648 §4), or null. */
function decodeBase64(s: string): string | null {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0
    ? Buffer.from(s, 'base64').toString('utf8')
    : null;
}
