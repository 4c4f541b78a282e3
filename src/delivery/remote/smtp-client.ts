import SMTPConnection from 'nodemailer/lib/smtp-connection';

export type TlsLevel = 'none' | 'may' | 'encrypt' | 'verify';

export interface HostTarget {
  /** Name of the host (MX name or relay), for TLS SNI and certificate checks. */
  host: string;
  address: string;
  port: number;
}

export interface ClientSettings {
  heloName: string;
  localAddress: string | undefined;
  tls: TlsLevel;
  auth: { user: string; pass: string } | undefined;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** Trusted CAs instead of the system's (tests with their own CA). */
  ca?: string;
}

export interface OutboundEnvelope {
  /** '' for the null sender. */
  from: string;
  /** The recipients of one transaction; they share the DSN parameters below (one RCPT TO each). */
  to: string[];
  notify: string | null;
  orcpt: string | null;
  ret: string | null;
  envid: string | null;
  size: number;
}

/** How the remote server answered for one recipient: a final 2xx, a 4xx or a 5xx. */
export interface RecipientOutcome {
  kind: 'sent' | 'temporary' | 'permanent';
  code: number;
  /** The reply as the remote host gave it, with the host named, for logs and DSNs. */
  reply: string;
}

/**
 * The end of one transaction. `connection`: nothing was delivered (connect, greeting, TLS, or
 * the session dropped before the message was accepted), so the next host may be tried for every
 * recipient. `done`: the server answered, with an outcome for each recipient.
 */
export type TransactionOutcome =
  | { kind: 'connection'; reply: string }
  | { kind: 'done'; tls: boolean; recipients: Map<string, RecipientOutcome> };

interface Connection {
  conn: SMTPConnection;
  key: string;
  tls: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  /** The last transaction ended before its message was answered (MAIL or every RCPT refused): RSET first. */
  dirty: boolean;
  /** Handed over from the idle pool rather than opened for this transaction. */
  reused: boolean;
}

interface SmtpError extends Error {
  responseCode?: number;
  response?: string;
  code?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

interface Envelope {
  accepted?: string[];
  rejectedErrors?: SmtpError[];
}

const envelopeOf = (conn: SMTPConnection) => (conn as unknown as { _envelope?: Envelope })._envelope;

/**
 * The RCPT refusals of the transaction in progress. nodemailer puts them on the result and on
 * an all-refused error, but not on a DATA failure; its envelope still holds them then.
 */
function rcptRefusals(conn: SMTPConnection): SmtpError[] | undefined {
  const envelope = envelopeOf(conn);
  return Array.isArray(envelope?.rejectedErrors) ? envelope.rejectedErrors : undefined;
}

/**
 * The transaction never began (nodemailer keeps the previous envelope then) or none of its RCPTs
 * was answered: the server cannot have taken the message.
 */
function unanswered(conn: SMTPConnection, previous: Envelope | undefined): boolean {
  const envelope = envelopeOf(conn);
  return envelope === previous || (!envelope?.accepted?.length && !envelope?.rejectedErrors?.length);
}

function replyCode(text: string | undefined): number {
  const m = /^([2-5]\d\d)/.exec(text ?? '');
  return m ? Number(m[1]) : 0;
}

/**
 * An SMTP client over nodemailer's SMTPConnection (which pipelines MAIL, RCPT and DATA when the
 * server offers PIPELINING) with connection reuse: after a delivery the connection is kept for
 * `idleMs` and handed to the next delivery for the same host, port, TLS policy and credentials.
 * A transaction that ended with the server's reply to the message leaves the session clean, so
 * the next one starts at once; RSET goes first only after a transaction that stopped short. A
 * connection the server closed while idle leaves the pool when it ends.
 */
export class SmtpClient {
  private readonly idle = new Map<string, Connection[]>();
  private open = 0;

  constructor(private readonly idleMs = 5000) {}

  get openConnections(): number {
    return this.open;
  }

  private keyOf(t: HostTarget, s: ClientSettings): string {
    return `${t.address}|${t.port}|${s.tls}|${s.auth?.user ?? ''}|${s.localAddress ?? ''}|${s.heloName}`;
  }

  private connect(t: HostTarget, s: ClientSettings, useTls: boolean): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const conn = new SMTPConnection({
        host: t.address,
        port: t.port,
        name: s.heloName,
        localAddress: s.localAddress,
        connectionTimeout: s.connectTimeoutMs,
        greetingTimeout: s.connectTimeoutMs,
        socketTimeout: s.responseTimeoutMs,
        ignoreTLS: !useTls,
        requireTLS: s.tls === 'encrypt' || s.tls === 'verify',
        opportunisticTLS: s.tls === 'may',
        tls: {
          servername: t.host,
          rejectUnauthorized: s.tls === 'verify',
          minVersion: 'TLSv1.2',
          ...(s.ca ? { ca: s.ca } : {}),
        },
        logger: false,
      });
      let settled = false;
      conn.once('error', (e: Error) => {
        if (!settled) {
          settled = true;
          conn.close();
          reject(e);
        }
      });
      conn.connect(() => {
        const done = () => {
          settled = true;
          this.open++;
          const c: Connection = {
            conn,
            key: this.keyOf(t, s),
            tls: conn.secure,
            idleTimer: undefined,
            dirty: false,
            reused: false,
          };
          // Errors reach the transaction through send's callback; an idle one only ends the connection.
          conn.on('error', () => {});
          conn.once('end', () => {
            this.open--;
            this.forget(c);
          });
          resolve(c);
        };
        if (!s.auth) return done();
        conn.login({ user: s.auth.user, pass: s.auth.pass }, (err) => {
          if (err) {
            settled = true;
            conn.quit();
            reject(err);
          } else done();
        });
      });
    });
  }

  private async acquire(t: HostTarget, s: ClientSettings): Promise<Connection> {
    const key = this.keyOf(t, s);
    const pool = this.idle.get(key);
    while (pool?.length) {
      const c = pool.pop()!;
      clearTimeout(c.idleTimer);
      if (c.conn.destroyed) continue;
      c.reused = true;
      if (!c.dirty) return c;
      const usable = await new Promise<boolean>((r) => c.conn.reset((err) => r(!err)));
      if (usable) {
        c.dirty = false;
        return c;
      }
      c.conn.close();
    }
    try {
      return await this.connect(t, s, s.tls !== 'none');
    } catch (e) {
      // Opportunistic TLS that fails in the handshake falls back to plain text, as Postfix does.
      if (s.tls === 'may' && /TLS|SSL|certificate|handshake/i.test((e as Error).message))
        return this.connect(t, s, false);
      throw e;
    }
  }

  private release(c: Connection, dirty: boolean): void {
    if (c.conn.destroyed) return;
    c.dirty = dirty;
    const pool = this.idle.get(c.key) ?? [];
    this.idle.set(c.key, pool);
    c.idleTimer = setTimeout(() => {
      this.forget(c);
      c.conn.quit();
    }, this.idleMs);
    c.idleTimer.unref();
    pool.push(c);
  }

  private forget(c: Connection): void {
    clearTimeout(c.idleTimer);
    const pool = this.idle.get(c.key);
    const i = pool ? pool.indexOf(c) : -1;
    if (i >= 0) pool!.splice(i, 1);
  }

  /**
   * One transaction (MAIL, a RCPT per recipient, DATA) to one host. A RCPT refused with 5xx
   * fails that recipient only; the others go on to DATA, whose reply is theirs. Never throws:
   * failures come back as outcomes.
   */
  async send(
    t: HostTarget,
    s: ClientSettings,
    env: OutboundEnvelope,
    message: Buffer,
  ): Promise<TransactionOutcome> {
    const where = `${t.host}[${t.address}]:${t.port}`;
    for (;;) {
      let c: Connection;
      try {
        c = await this.acquire(t, s);
      } catch (e) {
        const err = e as SmtpError;
        return { kind: 'connection', reply: `${where} said: ${err.response ?? err.message}`.trim() };
      }
      const out = await this.transaction(c, where, env, message);
      // A kept connection the server dropped before answering anything: the mail goes on a new one.
      if (out === 'stale') continue;
      return out;
    }
  }

  private transaction(
    c: Connection,
    where: string,
    env: OutboundEnvelope,
    message: Buffer,
  ): Promise<TransactionOutcome | 'stale'> {
    const dsn = {
      ...(env.ret ? { ret: env.ret } : {}),
      ...(env.envid ? { envid: env.envid } : {}),
      ...(env.notify ? { notify: env.notify.split(',') } : {}),
      ...(env.orcpt ? { orcpt: env.orcpt } : {}),
    };
    const outcome = (code: number, text: string): RecipientOutcome => ({
      kind: code >= 200 && code < 300 ? 'sent' : code >= 500 ? 'permanent' : 'temporary',
      code,
      reply: `${where} said: ${text}`,
    });
    const previous = envelopeOf(c.conn);
    return new Promise((resolve) => {
      c.conn.send(
        { from: env.from, to: env.to, size: env.size, ...(Object.keys(dsn).length ? { dsn } : {}) },
        message,
        (err, info) => {
          const recipients = new Map<string, RecipientOutcome>();
          const refused = (err as SmtpError | null)?.rejectedErrors ?? rcptRefusals(c.conn) ?? [];
          for (const r of refused)
            if (r.recipient)
              recipients.set(r.recipient, outcome(r.responseCode ?? 451, r.response ?? r.message));
          if (!err) {
            this.release(c, false);
            const ok = outcome(replyCode(info.response) || 250, info.response);
            for (const to of env.to) if (!recipients.has(to)) recipients.set(to, ok);
            return resolve({ kind: 'done', tls: c.tls, recipients });
          }
          const e = err as SmtpError;
          const code = e.responseCode ?? 0;
          // A connection that failed mid-transaction is not reused, and nothing was delivered.
          if (e.code === 'ECONNECTION' || e.code === 'ETIMEDOUT' || e.code === 'ESOCKET' || !code) {
            c.conn.close();
            if (c.reused && unanswered(c.conn, previous)) return resolve('stale');
            return resolve({ kind: 'connection', reply: `${where} said: ${e.message}` });
          }
          // EMESSAGE: the reply to the message itself, after which the session is clean again.
          this.release(c, e.code !== 'EMESSAGE');
          // MAIL FROM or DATA refused: the reply is every remaining recipient's.
          const all = outcome(code, e.response ?? e.message);
          for (const to of env.to) if (!recipients.has(to)) recipients.set(to, all);
          resolve({ kind: 'done', tls: c.tls, recipients });
        },
      );
    });
  }

  close(): void {
    for (const pool of this.idle.values()) {
      for (const c of pool) {
        clearTimeout(c.idleTimer);
        c.conn.quit();
      }
    }
    this.idle.clear();
  }
}
