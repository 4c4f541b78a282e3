import type { Socket } from 'node:net';
import { TLSSocket, type TlsOptions } from 'node:tls';
import type { App } from '../app.js';
import { AuthError, AuthLockedError } from '../directory/auth-error.js';
import type { Logger } from '../log/logger.js';
import { toUidSet } from '../mailbox/uid-set.js';
import type { FolderRef, MailboxActor } from '../mailbox/types.js';
import { decodeSaslPlain, MAX_COMMAND_LINE, parsePop3Command, type Pop3Command } from './command.js';
import { DotStuffer, topOfMessage } from './dot-stuff.js';
import type { MaildropLocks } from './maildrop-locks.js';
import { drained } from '../core/drain.js';

interface DropMessage {
  uid: number;
  size: number;
  deleted: boolean;
}

/** Messages up to this size are read whole (and read ahead when RETRs are pipelined). */
const SMALL_MESSAGE = 256 * 1024;
/** Pipelined RETR lines looked at for reading ahead of the one being sent. */
const READ_AHEAD = 64;
/** Bytes of messages read ahead at most. */
const READ_AHEAD_BYTES = 1024 * 1024;

/** Input kept while a command runs (pipelining); more than this unanswered closes the session. */
const MAX_PENDING_INPUT = 64 * 1024;

export interface Pop3SessionOptions {
  app: App;
  locks: MaildropLocks;
  tlsOptions: () => TlsOptions;
  secure: boolean;
  log: Logger;
  onClose: () => void;
}

/** One POP3 connection: AUTHORIZATION, then TRANSACTION on a snapshot of INBOX, UPDATE at QUIT. */
export class Pop3Session {
  private socket: Socket;
  private secure: boolean;
  private input: Buffer = Buffer.alloc(0);
  private busy = false;
  private closed = false;
  private user: string | null = null;
  private saslPending = false;
  private actor: MailboxActor | null = null;
  private drop: DropMessage[] = [];
  private uidvalidity = 0;
  /** INBOX by id once logged in, so a rename of INBOX elsewhere cannot swap the maildrop. */
  private inbox: FolderRef = 'INBOX';
  private readonly readAhead = new Map<number, Promise<Buffer | undefined>>();

  constructor(
    socket: Socket,
    private readonly opts: Pop3SessionOptions,
  ) {
    this.socket = socket;
    this.secure = opts.secure;
    this.attach(socket);
    this.reply(`+OK Mailstead POP3 ready`);
  }

  private attach(socket: Socket): void {
    socket.setTimeout(this.opts.app.config.get<number>('pop3.idle_timeout'));
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('timeout', () => this.end('-ERR [SYS/TEMP] Idle timeout, closing'));
    socket.on('error', (e) => this.opts.log.debug({ event: 'pop3_socket_error', err: e.message }));
    socket.on('close', () => this.finish());
  }

  private onData(d: Buffer): void {
    this.input = this.input.length ? Buffer.concat([this.input, d]) : d;
    if (this.input.length > MAX_PENDING_INPUT) {
      this.end('-ERR Too much input');
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.closed) {
        const nl = this.input.indexOf(0x0a);
        if (nl < 0) {
          if (this.input.length > MAX_COMMAND_LINE * 4) this.end('-ERR Line too long');
          break;
        }
        const line = this.input.subarray(0, nl).toString('utf8').replace(/\r$/, '');
        this.input = this.input.subarray(nl + 1);
        await this.handleLine(line);
      }
    } catch (e) {
      this.opts.log.error({ event: 'pop3_error', err: (e as Error).message }, 'POP3 command failed');
      this.end('-ERR [SYS/TEMP] Internal error');
    } finally {
      this.busy = false;
    }
  }

  private write(data: Buffer | string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const socket = this.socket;
    if (socket.write(data)) return Promise.resolve();
    return drained(socket);
  }

  private reply(line: string): Promise<void> {
    return this.write(line + '\r\n');
  }

  private end(line?: string): void {
    if (this.closed) return;
    if (line) this.socket.end(line + '\r\n');
    else this.socket.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.actor) this.opts.locks.release(this.actor.accountId);
    this.opts.onClose();
  }

  private plaintextAllowed(): boolean {
    return this.secure || this.opts.app.config.get<boolean>('auth.allow_plaintext');
  }

  private async handleLine(line: string): Promise<void> {
    if (this.saslPending) {
      this.saslPending = false;
      if (line === '*') return this.reply('-ERR Authentication cancelled');
      return this.saslPlain(line);
    }
    const parsed = parsePop3Command(line);
    if (!parsed.ok) return this.reply(`-ERR ${parsed.error}`);
    const cmd = parsed.command;
    if (cmd.name === 'QUIT') return this.quit();
    if (cmd.name === 'CAPA') return this.capa();
    if (cmd.name === 'NOOP' && this.actor) return this.reply('+OK');
    return this.actor ? this.transaction(cmd) : this.authorization(cmd);
  }

  private async capa(): Promise<void> {
    const lines = [
      '+OK Capability list follows',
      'TOP',
      'UIDL',
      'RESP-CODES',
      'AUTH-RESP-CODE',
      'PIPELINING',
      'EXPIRE NEVER',
      'IMPLEMENTATION Mailstead',
    ];
    if (!this.actor) {
      if (!this.secure) lines.push('STLS');
      if (this.plaintextAllowed()) lines.push('USER', 'SASL PLAIN');
    }
    await this.write(lines.join('\r\n') + '\r\n.\r\n');
  }

  private async authorization(cmd: Pop3Command): Promise<void> {
    switch (cmd.name) {
      case 'STLS':
        return this.startTls();
      case 'USER':
        if (!this.plaintextAllowed())
          return this.reply(
            '-ERR [AUTH] Plaintext authentication disallowed on insecure connections; use STLS',
          );
        this.user = cmd.user;
        return this.reply('+OK');
      case 'PASS': {
        if (!this.plaintextAllowed())
          return this.reply(
            '-ERR [AUTH] Plaintext authentication disallowed on insecure connections; use STLS',
          );
        if (this.user === null) return this.reply('-ERR USER first');
        const user = this.user;
        this.user = null;
        return this.login(user, cmd.pass);
      }
      case 'AUTH':
        if (cmd.mechanism === null)
          return this.write(this.plaintextAllowed() ? '+OK\r\nPLAIN\r\n.\r\n' : '+OK\r\n.\r\n');
        if (!this.plaintextAllowed())
          return this.reply(
            '-ERR [AUTH] Plaintext authentication disallowed on insecure connections; use STLS',
          );
        if (cmd.mechanism !== 'PLAIN') return this.reply('-ERR Unsupported authentication mechanism');
        if (cmd.initial === null) {
          this.saslPending = true;
          return this.reply('+ ');
        }
        return this.saslPlain(cmd.initial === '=' ? '' : cmd.initial);
      default:
        return this.reply('-ERR Not allowed before login');
    }
  }

  private async saslPlain(b64: string): Promise<void> {
    const creds = decodeSaslPlain(b64);
    if (!creds) return this.reply('-ERR [AUTH] Invalid SASL PLAIN response');
    return this.login(creds.user, creds.pass);
  }

  private async startTls(): Promise<void> {
    if (this.secure) return this.reply('-ERR Already using TLS');
    await this.reply('+OK Begin TLS negotiation');
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('close');
    // Anything pipelined after STLS was sent in the clear and must not be trusted (RFC 2595 section 3.1).
    this.input = Buffer.alloc(0);
    const tls = new TLSSocket(plain, { isServer: true, ...this.opts.tlsOptions() });
    this.socket = tls;
    this.secure = true;
    this.attach(tls);
  }

  private async login(user: string, pass: string): Promise<void> {
    const { app } = this.opts;
    let account;
    try {
      account = await app.directory.authenticate(user, pass, {
        ip: this.socket.remoteAddress ?? null,
        protocol: 'pop3',
      });
    } catch (e) {
      if (e instanceof AuthLockedError)
        return this.reply('-ERR [SYS/TEMP] Too many failed logins; try again later');
      if (e instanceof AuthError) return this.reply('-ERR [AUTH] Authentication failed');
      throw e;
    }
    if (!this.opts.locks.tryLock(account.id)) {
      this.opts.log.info({ event: 'pop3_in_use', user: account.address });
      return this.reply('-ERR [IN-USE] Mailbox is locked by another POP3 session');
    }
    try {
      const actor = await app.mailbox.actorFor(account.id);
      const snap = await app.mailbox.folders.select(actor, 'INBOX');
      const metas = snap.uids.length
        ? await app.mailbox.messages.fetch(actor, 'INBOX', [
            [snap.uids[0]!, snap.uids[snap.uids.length - 1]!],
          ])
        : [];
      this.drop = metas.map((m) => ({ uid: m.uid, size: m.size, deleted: false }));
      this.uidvalidity = snap.uidvalidity;
      this.inbox = { id: snap.folderId };
      this.actor = actor;
    } catch (e) {
      this.opts.locks.release(account.id);
      throw e;
    }
    this.opts.log.info({ event: 'pop3_login', user: account.address, messages: this.drop.length });
    return this.reply(`+OK Logged in, ${this.drop.length} messages`);
  }

  private message(n: number): DropMessage | undefined {
    const m = this.drop[n - 1];
    return m && !m.deleted ? m : undefined;
  }

  private async transaction(cmd: Pop3Command): Promise<void> {
    const live = () => this.drop.filter((m) => !m.deleted);
    switch (cmd.name) {
      case 'STAT':
        return this.reply(`+OK ${live().length} ${live().reduce((s, m) => s + m.size, 0)}`);
      case 'LIST':
      case 'UIDL': {
        const show = (n: number, m: DropMessage) =>
          `${n} ${cmd.name === 'LIST' ? m.size : `${this.uidvalidity}.${m.uid}`}`;
        if (cmd.msg !== null) {
          const m = this.message(cmd.msg);
          return m ? this.reply(`+OK ${show(cmd.msg, m)}`) : this.reply('-ERR No such message');
        }
        const lines = this.drop.flatMap((m, i) => (m.deleted ? [] : [show(i + 1, m)]));
        return this.write(['+OK', ...lines, '.'].join('\r\n') + '\r\n');
      }
      case 'RETR':
      case 'TOP':
        return this.retrieve(cmd.msg, cmd.name === 'TOP' ? cmd.lines : null);
      case 'DELE': {
        const m = this.message(cmd.msg);
        if (!m) return this.reply('-ERR No such message');
        m.deleted = true;
        return this.reply(`+OK Message ${cmd.msg} deleted`);
      }
      case 'RSET':
        for (const m of this.drop) m.deleted = false;
        return this.reply(`+OK ${this.drop.length} messages`);
      case 'NOOP':
        return this.reply('+OK');
      default:
        return this.reply('-ERR Not allowed after login');
    }
  }

  /**
   * Starts reading message `n` together with the small messages of the RETR commands already
   * waiting in the input, in one batch (one query, parallel blob reads), up to READ_AHEAD_BYTES.
   */
  private readAheadPipelined(n: number): void {
    const wanted = [n];
    let bytes = this.message(n)?.size ?? 0;
    for (const line of this.input.toString('latin1').split('\n', READ_AHEAD)) {
      const p = /^RETR ([1-9][0-9]{0,9})\r?$/i.exec(line);
      const k = p ? Number(p[1]) : 0;
      const m = k ? this.message(k) : undefined;
      if (!m || m.size > SMALL_MESSAGE || this.readAhead.has(k) || wanted.includes(k)) continue;
      if (bytes + m.size > READ_AHEAD_BYTES) break;
      bytes += m.size;
      wanted.push(k);
    }
    const uids = wanted.map((k) => this.drop[k - 1]!.uid);
    const batch = this.opts.app.mailbox.messages.readMany(this.actor!, this.inbox, uids);
    batch.catch(() => undefined);
    wanted.forEach((k, j) =>
      this.readAhead.set(
        k,
        batch.then((got) => got.get(uids[j]!)),
      ),
    );
  }

  private async retrieve(n: number, topLines: number | null): Promise<void> {
    const m = this.message(n);
    if (!m) {
      this.readAhead.delete(n);
      return this.reply('-ERR No such message');
    }
    const mailbox = this.opts.app.mailbox;
    const stuffer = new DotStuffer();
    if (topLines !== null || m.size <= SMALL_MESSAGE) {
      if (topLines === null && !this.readAhead.has(n)) this.readAheadPipelined(n);
      const ahead = await this.readAhead.get(n);
      this.readAhead.delete(n);
      // Not read ahead (TOP), or gone from the folder meanwhile: read alone, which reports why.
      const whole = ahead ?? (await mailbox.messages.read(this.actor!, this.inbox, m.uid));
      const body = topLines === null ? whole : topOfMessage(whole, topLines);
      const stuffed = stuffer.push(body);
      const head = Buffer.from(topLines === null ? `+OK ${whole.length} octets\r\n` : '+OK\r\n');
      await this.write(Buffer.concat([head, stuffed, stuffer.end()]));
      return;
    }
    const { size, chunks } = await mailbox.messages.open(this.actor!, this.inbox, m.uid);
    await this.write(`+OK ${size} octets\r\n`);
    for await (const c of chunks) await this.write(stuffer.push(c));
    await this.write(stuffer.end());
  }

  /** QUIT: in TRANSACTION, the UPDATE state removes the messages marked deleted. */
  private async quit(): Promise<void> {
    const gone = this.drop.filter((m) => m.deleted).map((m) => m.uid);
    if (this.actor && gone.length) {
      const mailbox = this.opts.app.mailbox;
      const set = toUidSet(gone);
      try {
        await mailbox.messages.storeFlags(this.actor, this.inbox, set, { op: 'add', flags: ['\\Deleted'] });
        await mailbox.messages.expunge(this.actor, this.inbox, set);
      } catch (e) {
        this.opts.log.error({ event: 'pop3_update_failed', err: (e as Error).message });
        return this.end('-ERR [SYS/TEMP] Some deleted messages were not removed');
      }
    }
    this.end(`+OK Bye${gone.length ? `, ${gone.length} messages deleted` : ''}`);
  }
}
