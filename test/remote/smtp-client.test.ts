import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import {
  SmtpClient,
  type ClientSettings,
  type OutboundEnvelope,
} from '../../src/delivery/remote/smtp-client.js';

/**
 * A receiving MTA on loopback (nodemailer's smtp-server) that records every command per
 * connection, refuses RCPTs to refused@…, and drops connections idle for `socketTimeout` ms.
 */
class RecordingMta {
  readonly sessions: string[][] = [];
  readonly delivered: string[][] = [];
  private readonly server: SMTPServer;
  port = 0;

  constructor(socketTimeout: number) {
    const commands = new Map<string, string[]>();
    const record = (_meta: unknown, ...args: unknown[]) => {
      const meta = _meta as { tnx?: string; cid?: string };
      if (meta?.tnx !== 'command' || !meta.cid) return;
      let list = commands.get(meta.cid);
      if (!list) {
        list = [];
        commands.set(meta.cid, list);
        this.sessions.push(list);
      }
      list.push(String(args[1]).split(/[: ]/)[0]!.toUpperCase());
    };
    const quiet = () => {};
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      hideSTARTTLS: true,
      socketTimeout,
      logger: { debug: record, info: quiet, warn: quiet, error: quiet, trace: quiet, fatal: quiet } as never,
      onRcptTo: (addr, _s, cb) =>
        addr.address.startsWith('refused@')
          ? cb(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }))
          : cb(),
      onData: (stream, session, cb) => {
        stream.resume();
        stream.on('end', () => {
          this.delivered.push(session.envelope.rcptTo.map((r) => r.address));
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

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const settings: ClientSettings = {
  heloName: 'client.test',
  localAddress: undefined,
  tls: 'none',
  auth: undefined,
  connectTimeoutMs: 5000,
  responseTimeoutMs: 5000,
};

const envelope = (...to: string[]): OutboundEnvelope => ({
  from: 'sender@src.test',
  to,
  notify: null,
  orcpt: null,
  ret: null,
  envid: null,
  size: 100,
});

const message = Buffer.from('Subject: hello\r\n\r\nhi\r\n');

describe('SMTP client connection reuse', () => {
  let mta: RecordingMta;
  const client = new SmtpClient();
  const target = () => ({ host: 'mx.test', address: '127.0.0.1', port: mta.port });

  before(async () => {
    mta = await new RecordingMta(400).start();
  });
  after(async () => {
    client.close();
    await mta.stop();
  });

  test('a second transaction follows a delivered one on the same connection, without RSET', async () => {
    const first = await client.send(target(), settings, envelope('a@dest.test', 'b@dest.test'), message);
    const second = await client.send(target(), settings, envelope('c@dest.test'), message);
    assert.equal(first.kind, 'done');
    assert.equal(second.kind, 'done');
    assert.equal(mta.sessions.length, 1);
    assert.deepEqual(mta.sessions[0], ['EHLO', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA']);
    assert.deepEqual(mta.delivered.slice(-2), [['a@dest.test', 'b@dest.test'], ['c@dest.test']]);
  });

  test('after a transaction whose every RCPT was refused, RSET clears the session before the next', async () => {
    const refused = await client.send(target(), settings, envelope('refused@dest.test'), message);
    assert.equal(refused.kind, 'done');
    assert.match(
      refused.kind === 'done' ? refused.recipients.get('refused@dest.test')!.reply : '',
      /550 5\.1\.1/,
    );
    const next = await client.send(target(), settings, envelope('d@dest.test'), message);
    assert.equal(next.kind, 'done');
    assert.equal(next.kind === 'done' && next.recipients.get('d@dest.test')!.kind, 'sent');
    const session = mta.sessions.at(-1)!;
    assert.deepEqual(session.slice(session.lastIndexOf('RSET')), ['RSET', 'MAIL', 'RCPT', 'DATA']);
  });

  test('a kept connection the server closed while idle is not used; the next transaction opens a new one', async () => {
    const before = mta.sessions.length;
    await new Promise((r) => setTimeout(r, 900));
    const out = await client.send(target(), settings, envelope('e@dest.test'), message);
    assert.equal(out.kind, 'done');
    assert.equal(out.kind === 'done' && out.recipients.get('e@dest.test')!.kind, 'sent');
    assert.equal(mta.sessions.length, before + 1);
    assert.deepEqual(mta.sessions.at(-1), ['EHLO', 'MAIL', 'RCPT', 'DATA']);
  });
});
