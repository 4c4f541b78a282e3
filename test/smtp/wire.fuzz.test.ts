import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { headerEnd } from '../../src/smtp/header-block.js';
import { fuzzRuns } from '../support/fuzz.js';
import type { TestServer } from '../support/server.js';
import { queueSettled, startSmtpServer } from './smtp-fixture.js';

/*
 * Random input over a real socket to the MX listener. Each property run reuses one connection
 * (a new one only after the server closed it), so `npm run fuzz` can afford 1e6 command batches;
 * message bodies are stored for real (fsync, commit), so that property runs a bounded share.
 */
const MAX_MESSAGE = 64 * 1024;
const MAX_HEADER = 8 * 1024;
const MAX_RECEIVED = 50;
let s: TestServer;

before(async () => {
  s = await startSmtpServer({
    'smtp.max_message_size': String(MAX_MESSAGE),
    'smtp.max_header_size': String(MAX_HEADER),
    'smtp.max_received_headers': String(MAX_RECEIVED),
    'smtp.tarpit': 'false',
    'smtp.greet_pause': '0',
    'smtp.hard_error_limit': '200',
    'smtp.timeout': '10s',
    // The stored body must be exactly what was sent: no header added by checks or scanners.
    'authenticity.check': 'false',
    'spam.enabled': 'false',
  });
});
after(async () => s.close());

/** A reply as read off the wire, every line checked for form: `NNN-text` … `NNN text`. */
interface Reply {
  code: number;
  lines: string[];
}

/** A raw SMTP connection that reads replies strictly, line by line. */
class Wire {
  private buf = '';
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(): Promise<Wire> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const c = connect({ port: s.port('smtp'), host: '127.0.0.1' }, () => resolve(c));
      c.once('error', reject);
    });
    return new Wire(socket);
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** The next reply, or null when the server closed the connection before sending one. */
  async reply(timeoutMs = 15_000): Promise<Reply | null> {
    const deadline = Date.now() + timeoutMs;
    const lines: string[] = [];
    let code = 0;
    for (;;) {
      const eol = this.buf.indexOf('\r\n');
      if (eol >= 0) {
        const line = this.buf.slice(0, eol);
        this.buf = this.buf.slice(eol + 2);
        const m = /^([2-5][0-5]\d)([ -])(.*)$/.exec(line);
        assert.ok(m, `malformed reply line ${JSON.stringify(line)}`);
        assert.ok(!/[\x00-\x08\x0a-\x1f\x7f]/.test(m[3]!), `control character in ${JSON.stringify(line)}`);
        if (lines.length) assert.equal(Number(m[1]), code, `code changes inside a reply: ${lines[0]}`);
        code = Number(m[1]);
        lines.push(line);
        if (m[2] === ' ') return { code, lines };
        continue;
      }
      if (this.closed) {
        assert.equal(this.buf, '', 'an unterminated reply line before close');
        assert.equal(lines.length, 0, 'a multi-line reply cut off by close');
        return null;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms; have ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          r();
        };
      });
    }
  }

  async waitClosed(): Promise<void> {
    while (!this.closed) {
      const r = await this.reply(5000);
      assert.equal(r, null, 'nothing is sent after the closing reply');
    }
  }

  /** Closed at once: the socket's 'close' event comes a tick later, and a reuse in between would write into nothing. */
  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** RFC 3463 status `C.S.D` of the same class as the reply, on every line (replies to HELO/EHLO excepted, RFC 2034 §3). */
function checkEnhanced(command: string, r: Reply): void {
  // Reply text is ASCII (RFC 5321 §4.2) unless it echoes what the client sent.
  if (/^[\x00-\x7f]*$/.test(command))
    for (const line of r.lines)
      assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII reply to ${JSON.stringify(command)}`);
  const verb = command.split(' ')[0]!.toUpperCase();
  if (r.code >= 300 && r.code < 400) return;
  if (['HELO', 'EHLO', 'LHLO'].includes(verb)) return;
  for (const line of r.lines) {
    const m = /^\d{3}[ -]([245])\.\d{1,3}\.\d{1,3} /.exec(line);
    assert.ok(m, `no enhanced status code in ${JSON.stringify(line)} (after ${JSON.stringify(command)})`);
    assert.equal(m[1], String(r.code)[0], `enhanced class differs from the reply in ${line}`);
  }
}

/** A connection that has been greeted and said EHLO, reused across runs until the server closes it. */
let current: Wire | null = null;
async function wire(): Promise<Wire> {
  if (current && !current.closed) return current;
  current = await Wire.open();
  const greeting = await current.reply();
  assert.match(greeting?.lines[0] ?? '', /^220 /);
  const ehlo = await current.reply(1).catch(() => null);
  assert.equal(ehlo, null, 'nothing before the client speaks');
  current.write('EHLO fuzz.example.org\r\n');
  const r = await current.reply();
  assert.equal(r?.code, 250);
  return current;
}

const printable = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
const junkChar = fc.oneof(
  { weight: 6, arbitrary: printable(0x20, 0x7e) },
  { weight: 1, arbitrary: printable(0x00, 0x1f).filter((c) => c !== '\n') },
  { weight: 1, arbitrary: printable(0x80, 0xff) },
);
const junk = (maxLength: number) => fc.string({ unit: junkChar, maxLength });
/** xtext (RFC 3461 §4): printable ASCII with `+HH` escapes, well- and ill-formed. */
const xtext = fc
  .array(
    fc.oneof(
      printable(0x21, 0x7e).filter((c) => c !== '+' && c !== '='),
      fc.integer({ min: 0, max: 255 }).map((n) => `+${n.toString(16).toUpperCase().padStart(2, '0')}`),
      fc.constantFrom('+', '+G', '+2', '=', '+0A'),
    ),
    { maxLength: 20 },
  )
  .map((a) => a.join(''));
const domain = fc.constantFrom(
  'example.test',
  'EXAMPLE.TEST',
  'remote.example.org',
  'exämple.test',
  '[127.0.0.1]',
  '[IPv6:::1]',
  'x',
  '',
  '-bad-.test',
);
const local = fc.oneof(
  fc.constantFrom('bob', 'alice', 'ghost', 'postmaster', 'bob+tag', '"quoted local"', 'üser', '', 'a.b..c'),
  fc.string({ unit: printable(0x21, 0x7e), maxLength: 12 }),
);
const address = fc.oneof(
  fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`),
  fc.constantFrom('', 'bob', '@route.example:bob@example.test', 'a@b@c', 'bob@example.test>'),
);
const path = fc.oneof(
  { weight: 5, arbitrary: address.map((a) => `<${a}>`) },
  { weight: 1, arbitrary: address },
  { weight: 1, arbitrary: address.map((a) => `<${a}`) },
);
const mailParam = fc.oneof(
  fc.nat({ max: 2 * MAX_MESSAGE }).map((n) => `SIZE=${n}`),
  fc.constantFrom('SIZE=', 'SIZE=-1', 'SIZE=1e3', 'SIZE=99999999999999999999', 'SIZE'),
  fc.constantFrom('BODY=7BIT', 'BODY=8BITMIME', 'BODY=BINARYMIME', 'BODY=', 'BODY=x', 'SMTPUTF8'),
  fc.constantFrom('SMTPUTF8=yes', 'RET=FULL', 'RET=HDRS', 'RET=x', 'REQUIRETLS', 'AUTH=<>'),
  xtext.map((x) => `ENVID=${x}`),
  fc.tuple(junk(8), junk(8)).map(([k, v]) => `${k}=${v}`),
);
const rcptParam = fc.oneof(
  fc.constantFrom(
    'NOTIFY=NEVER',
    'NOTIFY=SUCCESS,FAILURE,DELAY',
    'NOTIFY=NEVER,SUCCESS',
    'NOTIFY=',
    'NOTIFY=x',
  ),
  xtext.map((x) => `ORCPT=rfc822;${x}`),
  xtext.map((x) => `ORCPT=utf-8;${x}`),
  xtext.map((x) => `ORCPT=${x}`),
  fc.tuple(junk(8), junk(8)).map(([k, v]) => `${k}=${v}`),
);
const withParams = (verb: fc.Arbitrary<string>, param: fc.Arbitrary<string>) =>
  fc.tuple(verb, path, fc.array(param, { maxLength: 4 })).map(([v, p, ps]) => [`${v}${p}`, ...ps].join(' '));
/** One command line, never one that changes the session's mode (DATA, BDAT, AUTH, STARTTLS). */
const command = fc.oneof(
  {
    weight: 4,
    arbitrary: withParams(fc.constantFrom('MAIL FROM:', 'mail from: ', 'MAIL FROM:  '), mailParam),
  },
  { weight: 4, arbitrary: withParams(fc.constantFrom('RCPT TO:', 'rcpt to: ', 'RCPT  TO:'), rcptParam) },
  { weight: 2, arbitrary: fc.constantFrom('RSET', 'NOOP', 'HELP', 'VRFY bob', 'EXPN staff', 'ETRN x') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'WIZ password',
      'SHELL',
      'KILL',
      'XCLIENT ADDR=1.2.3.4',
      'XFORWARD NAME=x',
      'TURN',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('HELO ', 'EHLO ', 'EHLO'), junk(30)).map(([v, a]) => v + a),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('MAIL TO:<bob@example.test>', 'RCPT FROM:<bob@example.test>', 'MAIL', 'RCPT'),
  },
  {
    weight: 3,
    arbitrary: junk(60).filter((l) => !/^\s*(DATA|BDAT|AUTH|STARTTLS)\b/i.test(l)),
  },
  { weight: 1, arbitrary: fc.nat({ max: 20_000 }).map((n) => `NOOP ${'z'.repeat(n)}`) },
);
const terminator = fc.constantFrom('\r\n', '\r\n', '\r\n', '\n');

test('random command lines, pipelined: one well-formed reply each, and the session still works', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(command, terminator), { minLength: 1, maxLength: 8 }),
      async (batch) => {
        const c = await wire();
        c.write(batch.map(([line, end]) => line + end).join(''));
        for (const [line] of batch) {
          const r = await c.reply();
          if (!r) throw new Error(`connection closed without a reply to ${JSON.stringify(line)}`);
          checkEnhanced(line, r);
          if (r.code === 421) {
            // Closing replies (too many errors or unknown commands, an over-long line) end the session.
            await c.waitClosed();
            return;
          }
        }
        c.write('RSET\r\n');
        assert.match((await c.reply())?.lines[0] ?? '', /^250 2\.0\.0 /, 'RSET after the batch');
      },
    ),
    // About 7 ms a batch on a loaded 2-core machine: `npm run fuzz` runs 50 000 batches (~6 min), not 1e6.
    { numRuns: Math.min(fuzzRuns(), 50_000), endOnFailure: true, includeErrorInReport: true },
  );
  current?.close();
  // Every session gave its connection slot back: with one allowed per IP, a new one is admitted.
  s.app.config.set('smtp.max_clients_per_ip', '1');
  try {
    let greeting = '';
    for (let i = 0; i < 40 && !greeting.startsWith('220'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const c = await Wire.open();
      greeting = (await c.reply())?.lines[0] ?? '';
      c.close();
    }
    assert.match(greeting, /^220 /);
  } finally {
    s.app.config.set('smtp.max_clients_per_ip', '0');
  }
});

/** A line of a message body: ordinary text, dots, long lines, and the bytes the server refuses. */
const bodyLine = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: printable(0x20, 0x7e), maxLength: 80 }) },
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '.x', '. ', '...', '.\r') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.nat({ max: 20_000 }).map((n) => 'L'.repeat(n)) },
  { weight: 1, arbitrary: junk(40) },
);
const headerLine = fc.oneof(
  fc.constantFrom('Subject: fuzz', 'From: <a@example.org>', 'X-Folded: a\r\n\tb', 'Received: from a by b; x'),
  fc
    .tuple(
      fc.constantFrom('X-A', 'Subject', 'To', 'Sender', 'From'),
      fc.string({ unit: printable(0x20, 0x7e), maxLength: 60 }),
    )
    .map(([k, v]) => `${k}: ${v}`),
  fc.nat({ max: 12_000 }).map((n) => `X-Long: ${'h'.repeat(n)}`),
);
const message = fc
  .record({
    hops: fc.oneof(
      { weight: 5, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.nat({ max: MAX_RECEIVED + 5 }) },
    ),
    headers: fc.array(headerLine, { maxLength: 6 }),
    blank: fc.boolean(),
    lines: fc.array(fc.tuple(bodyLine, terminator), { maxLength: 30 }),
    big: fc.oneof(
      { weight: 8, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.nat({ max: 2 * MAX_MESSAGE }) },
    ),
    lastEol: fc.boolean(),
    chunks: fc.array(fc.nat({ max: 4000 }), { maxLength: 5 }),
  })
  .map((m) => {
    const hops = 'Received: from a.example by b.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n'.repeat(m.hops);
    let text = hops + m.headers.map((h) => `${h}\r\n`).join('') + (m.blank ? '\r\n' : '');
    text += m.lines.map(([l, end]) => l + end).join('');
    if (m.big) text += `${'b'.repeat(76)}\r\n`.repeat(Math.ceil(m.big / 78));
    if (!m.lastEol) text = text.replace(/\r\n$/, '');
    return { body: Buffer.from(text, 'utf8'), hops: m.hops, chunks: m.chunks };
  });

/** What the server must answer for `stored` (the message as it is to be kept): 250 or one of the refusals it earns. */
function verdicts(stored: Buffer, hops: number): RegExp[] {
  const out: RegExp[] = [];
  if (stored.includes(0)) out.push(/^554 5\.6\.0 .*NUL/);
  for (let i = stored.indexOf(0x0a); i >= 0; i = stored.indexOf(0x0a, i + 1))
    if (i === 0 || stored[i - 1] !== 0x0d) {
      out.push(/^554 5\.6\.0 .*bare LF/);
      break;
    }
  if (stored.length > MAX_MESSAGE) out.push(/^552 5\.3\.4 Message size/);
  const end = headerEnd(stored);
  if ((end < 0 ? stored.length : end) > MAX_HEADER) out.push(/^552 5\.3\.4 .*header/);
  if (hops + 1 > MAX_RECEIVED) out.push(/^554 5\.4\.6 /);
  return out.length ? out : [/^250 2\.0\.0 Ok: queued as [0-9A-Z]+$/];
}

/** The DATA encoding of a body: leading dots doubled (after any LF, as the server reads them), CRLF . CRLF. */
function dataEncoding(body: Buffer): { wire: Buffer; stored: Buffer } {
  const stored =
    body.length && !body.subarray(-2).equals(Buffer.from('\r\n'))
      ? Buffer.concat([body, Buffer.from('\r\n')])
      : body;
  const text = stored.toString('latin1').replace(/(^|\n)\./g, '$1..');
  return { wire: Buffer.from(`${text}.\r\n`, 'latin1'), stored };
}

async function storedBodies(hash: string): Promise<number> {
  const rows = await s.app.store.db.all<{ n: number }>(
    `SELECT COUNT(*) AS n FROM mailbox_messages m JOIN mailbox_bodies b ON b.id = m.body_id WHERE b.hash = ?`,
    [hash],
  );
  return Number(rows[0]?.n);
}

test('random DATA bodies: 250 only for a clean message, stored byte for byte; nothing kept of a refused one', async () => {
  const accepted: string[] = [];
  let n = 0;
  await fc.assert(
    fc.asyncProperty(message, async (m) => {
      // A unique first line, so a body is never one the store already holds from an earlier run.
      const body = Buffer.concat([Buffer.from(`X-Fuzz-Run: ${process.pid}-${n++}\r\n`), m.body]);
      const { wire: data, stored } = dataEncoding(body);
      const hash = createHash('sha256').update(stored).digest('hex');
      const c = await wire();
      c.write('MAIL FROM:<fuzz@sender.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n');
      for (const expect of [/^250 2\.1\.0 /, /^250 2\.1\.5 /, /^354 /])
        assert.match((await c.reply())?.lines[0] ?? '', expect);
      // Random write boundaries, so the server sees the dot-stuffing and CRLF split across reads.
      let at = 0;
      for (const size of m.chunks) {
        c.write(data.subarray(at, at + size));
        at += size;
        await new Promise((r) => setImmediate(r));
      }
      c.write(data.subarray(at));
      const r = await c.reply();
      if (r) checkEnhanced('DATA', r);
      const line = r?.lines[0] ?? '';
      const expected = verdicts(stored, m.hops);
      // A refusal past smtp.hard_error_limit in the session ends it instead.
      if (!expected[0]!.test('250 2.0.0 Ok: queued as X')) expected.push(/^421 4\.7\.0 Too many errors/);
      assert.ok(
        expected.some((e) => e.test(line)),
        `${JSON.stringify(line)} is none of ${expected.join(' ')}`,
      );
      if (line.startsWith('250')) {
        assert.ok(await s.app.store.blobs.has(hash), 'the stored blob is the message as sent');
        accepted.push(hash);
      } else {
        assert.equal(await s.app.store.blobs.has(hash), false, 'nothing of a refused message is kept');
        if (r?.code === 421) return c.waitClosed();
        c.write('RSET\r\n');
        assert.match((await c.reply())?.lines[0] ?? '', /^250 /);
      }
    }),
    // Every accepted message is fsynced and committed: a bounded share of the fuzz budget.
    { numRuns: Math.min(fuzzRuns(60), 3000), endOnFailure: true, includeErrorInReport: true },
  );
  current?.close();
  await queueSettled(s, ['queued'], 60_000);
  for (const hash of accepted) assert.equal(await storedBodies(hash), 1, `delivered once: ${hash}`);
});

test('the same bodies in random BDAT chunks, pipelined: the same verdicts, stored as sent', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(message, async (m) => {
      const body = Buffer.concat([Buffer.from(`X-Fuzz-Bdat: ${process.pid}-${n++}\r\n`), m.body]);
      const hash = createHash('sha256').update(body).digest('hex');
      const parts: Buffer[] = [];
      let at = 0;
      for (const size of m.chunks) {
        parts.push(body.subarray(at, at + size));
        at += size;
      }
      parts.push(body.subarray(at));
      const c = await wire();
      c.write('MAIL FROM:<fuzz@sender.example>\r\nRCPT TO:<bob@example.test>\r\n');
      c.write(
        Buffer.concat(
          parts.flatMap((p, i) => [
            Buffer.from(`BDAT ${p.length}${i === parts.length - 1 ? ' LAST' : ''}\r\n`),
            p,
          ]),
        ),
      );
      for (const expect of [/^250 2\.1\.0 /, /^250 2\.1\.5 /])
        assert.match((await c.reply())?.lines[0] ?? '', expect);
      const expected = verdicts(body, m.hops);
      if (!expected[0]!.test('250 2.0.0 Ok: queued as X')) expected.push(/^421 4\.7\.0 Too many errors/);
      let r: Reply | null = null;
      for (const [i, p] of parts.entries()) {
        r = await c.reply();
        assert.ok(r, 'a reply to every chunk');
        checkEnhanced('BDAT', r);
        const line = r.lines[0]!;
        if (i < parts.length - 1 && line === `250 2.0.0 ${p.length} octets received`) continue;
        assert.ok(
          expected.some((e) => e.test(line)),
          `chunk ${i + 1}/${parts.length}: ${line} is none of ${expected.join(' ')}`,
        );
        if (r.code === 421) return c.waitClosed();
      }
      assert.equal(
        await s.app.store.blobs.has(hash),
        r!.code === 250,
        `stored iff accepted (${r!.lines[0]})`,
      );
    }),
    { numRuns: Math.min(fuzzRuns(60), 3000), endOnFailure: true, includeErrorInReport: true },
  );
  current?.close();
});
