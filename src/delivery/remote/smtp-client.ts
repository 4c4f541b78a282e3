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
}

export interface OutboundEnvelope {
  /** '' for the null sender. */
  from: string;
  to: string;
  notify: string | null;
  orcpt: string | null;
  ret: string | null;
  envid: string | null;
  size: number;
}

/** How the remote server answered for the recipient: a final 2xx, a 4xx, a 5xx, or no answer. */
export interface SendOutcome {
  kind: 'sent' | 'temporary' | 'permanent';
  code: number;
  /** The reply as the remote host gave it, with the host named, for logs and DSNs. */
  reply: string;
  /** Whether the session was encrypted. */
  tls: boolean;
  /** A connection-level failure (connect, greeting, TLS): the next host may be tried. */
  connectionFailed: boolean;
}

interface Connection {
  conn: SMTPConnection;
  key: string;
  tls: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

function replyCode(text: string | undefined): number {
  const m = /^([2-5]\d\d)/.exec(text ?? '');
  return m ? Number(m[1]) : 0;
}

/**
 * An SMTP client over nodemailer's SMTPConnection with connection reuse: after a delivery the
 * connection is kept for `idleMs` and handed to the next delivery for the same host, port, TLS
 * policy and credentials (RSET between transactions).
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
        tls: { servername: t.host, rejectUnauthorized: s.tls === 'verify', minVersion: 'TLSv1.2' },
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
          conn.once('end', () => this.open--);
          resolve({ conn, key: this.keyOf(t, s), tls: conn.secure, idleTimer: undefined });
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
      const usable = await new Promise<boolean>((r) => c.conn.reset((err) => r(!err)));
      if (usable) return c;
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

  private release(c: Connection): void {
    const pool = this.idle.get(c.key) ?? [];
    this.idle.set(c.key, pool);
    c.idleTimer = setTimeout(() => {
      const i = pool.indexOf(c);
      if (i >= 0) pool.splice(i, 1);
      c.conn.quit();
    }, this.idleMs);
    c.idleTimer.unref();
    pool.push(c);
  }

  /** One transaction for one recipient to one host. Never throws: failures come back as outcomes. */
  async send(t: HostTarget, s: ClientSettings, env: OutboundEnvelope, message: Buffer): Promise<SendOutcome> {
    const where = `${t.host}[${t.address}]:${t.port}`;
    let c: Connection;
    try {
      c = await this.acquire(t, s);
    } catch (e) {
      const err = e as Error & { responseCode?: number; response?: string };
      const code = err.responseCode ?? 0;
      const text = err.response ?? err.message;
      return {
        kind: code >= 500 && !/TLS/i.test(text) ? 'permanent' : 'temporary',
        code: code || 451,
        reply: `${where} said: ${text}`.trim(),
        tls: false,
        connectionFailed: true,
      };
    }
    const dsn = {
      ...(env.ret ? { ret: env.ret } : {}),
      ...(env.envid ? { envid: env.envid } : {}),
      ...(env.notify ? { notify: env.notify.split(',') } : {}),
      ...(env.orcpt ? { orcpt: env.orcpt } : {}),
    };
    return new Promise<SendOutcome>((resolve) => {
      c.conn.send(
        { from: env.from, to: [env.to], size: env.size, ...(Object.keys(dsn).length ? { dsn } : {}) },
        message,
        (err, info) => {
          if (!err) {
            this.release(c);
            resolve({
              kind: 'sent',
              code: replyCode(info.response) || 250,
              reply: `${where} said: ${info.response}`,
              tls: c.tls,
              connectionFailed: false,
            });
            return;
          }
          const e = err as Error & {
            responseCode?: number;
            response?: string;
            code?: string;
            rejectedErrors?: { responseCode?: number; response?: string }[];
          };
          const rcpt = e.rejectedErrors?.[0];
          const code = rcpt?.responseCode ?? e.responseCode ?? 0;
          const text = rcpt?.response ?? e.response ?? e.message;
          // A connection that failed mid-transaction is not reused.
          if (e.code === 'ECONNECTION' || e.code === 'ETIMEDOUT' || e.code === 'ESOCKET' || !code)
            c.conn.close();
          else this.release(c);
          resolve({
            kind: code >= 500 ? 'permanent' : 'temporary',
            code: code || 451,
            reply: `${where} said: ${text}`,
            tls: c.tls,
            connectionFailed: !code,
          });
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
