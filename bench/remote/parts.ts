/**
 * Parts of the remote-delivery benchmarks: receiving MTAs on loopback that only count, a DNS
 * server with MX records for the destination domains, and an SMTP injector. Not a test.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer } from 'smtp-server';
import { TestDnsServer } from '../../test/support/dns-server.js';

/** One destination domain: its MX host on its own loopback address, so every domain is its own next hop. */
export interface Destination {
  domain: string;
  address: string;
  port: number;
}

/**
 * Receiving MTAs that keep no message: each counts recipients accepted at end of DATA and
 * remembers when each message (by its Subject) arrived.
 */
export class CountingSinks {
  recipients = 0;
  readonly arrivals = new Map<string, number>();
  private readonly servers: SMTPServer[] = [];
  readonly destinations: Destination[] = [];

  async start(domains: string[]): Promise<this> {
    for (const [i, domain] of domains.entries()) {
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        hideSTARTTLS: true,
        logger: false,
        maxClients: 1000,
        size: 50 * 1024 * 1024,
        onData: (stream, session, cb) => {
          let head = '';
          stream.on('data', (c: Buffer) => {
            if (head.length < 4096) head += c.toString('latin1');
          });
          stream.on('end', () => {
            this.recipients += session.envelope.rcptTo.length;
            const subject = /^Subject: (.*)$/m.exec(head)?.[1]?.trim();
            if (subject) this.arrivals.set(subject, performance.now());
            cb();
          });
        },
      });
      const address = `127.0.0.${11 + i}`;
      await new Promise<void>((r) => server.listen(0, address, () => r()));
      this.servers.push(server);
      this.destinations.push({ domain, address, port: (server.server.address() as { port: number }).port });
    }
    return this;
  }

  async waitFor(recipients: number, timeoutMs = 900_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.recipients < recipients) {
      if (Date.now() > end) throw new Error(`sinks got ${this.recipients} of ${recipients} recipients`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** A DNS server on loopback with an MX for each destination, pointing at its sink's address. */
export async function destinationDns(dests: Destination[], extra: (dns: TestDnsServer) => void = () => {}) {
  const dns = await new TestDnsServer().start();
  for (const d of dests)
    dns
      .add(d.domain, { type: 'MX', exchange: `mx.${d.domain}`, priority: 10 })
      .add(`mx.${d.domain}`, { type: 'A', address: d.address });
  extra(dns);
  return dns;
}

export function message(subject: string, size: number): Buffer {
  const head = `From: load@src.test\r\nTo: many@dest.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@src.test>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog and keeps on running.\r\n';
  return Buffer.from(head + line.repeat(Math.max(1, Math.ceil((size - head.length) / line.length))));
}

/**
 * Sends `count` messages over `sessions` connections, each to `recipients(i)`; resolves with the
 * time each message was accepted (by subject).
 */
export async function inject(
  port: number,
  count: number,
  sessions: number,
  recipients: (i: number) => string[],
  size: number,
  pauseMs = 0,
): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      const conn = new SMTPConnection({
        host: '127.0.0.1',
        port,
        name: 'load.src.test',
        logger: false,
        ignoreTLS: true,
      });
      await new Promise<void>((resolve, reject) => {
        conn.once('error', reject);
        conn.connect(() => resolve());
      });
      for (let i = next++; i < count; i = next++) {
        const subject = `m${i}`;
        const t = performance.now();
        await new Promise<void>((resolve, reject) =>
          conn.send({ from: 'load@src.test', to: recipients(i) }, message(subject, size), (err) =>
            err ? reject(err) : resolve(),
          ),
        );
        sent.set(subject, t);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
      conn.quit();
    }),
  );
  return sent;
}
