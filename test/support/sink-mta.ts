import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface SunkMessage {
  from: string;
  to: string[];
  data: Buffer;
  secure: boolean;
  dsn: SMTPServerSession['envelope']['dsn'];
}

/**
 * A receiving MTA on loopback (nodemailer's smtp-server) for remote-delivery tests. `answer`
 * decides each RCPT: return null to accept, or a reply code and text (4xx defers, 5xx bounces).
 */
export class SinkMta {
  readonly messages: SunkMessage[] = [];
  answer: (rcpt: string) => { code: number; text: string } | null = () => null;
  dataAnswer: () => { code: number; text: string } | null = () => null;
  private server: SMTPServer;
  port = 0;

  /** `key` and `cert` replace smtp-server's built-in certificate for STARTTLS. */
  constructor(opts: { tls?: boolean; key?: string; cert?: string } = {}) {
    this.server = new SMTPServer({
      ...(opts.key && opts.cert ? { key: opts.key, cert: opts.cert } : {}),
      authOptional: true,
      disabledCommands: opts.tls ? [] : ['STARTTLS'],
      hideSTARTTLS: !opts.tls,
      logger: false,
      size: 50 * 1024 * 1024,
      onRcptTo: (addr, _s, cb) => {
        const a = this.answer(addr.address);
        if (!a) return cb();
        const err = new Error(a.text) as Error & { responseCode: number };
        err.responseCode = a.code;
        cb(err);
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const a = this.dataAnswer();
          if (a) {
            const err = new Error(a.text) as Error & { responseCode: number };
            err.responseCode = a.code;
            return cb(err);
          }
          this.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks),
            secure: session.secure,
            dsn: session.envelope.dsn,
          });
          cb();
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  async waitFor(n: number, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      if (Date.now() > end) throw new Error(`sink got ${this.messages.length} of ${n} messages`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
