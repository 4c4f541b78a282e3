import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { STREAM_OVER } from '../../src/imap/fetch-stream.js';
import { ALICE, imapFixture, type ImapFixture } from './fixture.js';

/**
 * One IMAP response read by its syntax: lines, and literals by their announced length (`{n}` or
 * `~{n}`), so binary content comes back byte for byte.
 */
class LiteralClient {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private n = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
  }

  static async login(port: number): Promise<LiteralClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r, j) => socket.once('connect', r).once('error', j));
    const c = new LiteralClient(socket);
    await c.line();
    await c.cmd(`LOGIN ${ALICE.user} ${ALICE.pass}`);
    return c;
  }

  private async need(n: number): Promise<void> {
    while (this.buf.length < n) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timeout reading a response')), 30_000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async line(): Promise<string> {
    let at: number;
    while ((at = this.buf.indexOf('\r\n')) < 0) await this.need(this.buf.length + 1);
    const l = this.buf.toString('latin1', 0, at);
    this.buf = this.buf.subarray(at + 2);
    return l;
  }

  private async take(n: number): Promise<Buffer> {
    await this.need(n);
    const b = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return b;
  }

  /**
   * Sends a command; resolves with its tagged completion and the untagged responses, each as
   * its text with every literal replaced by `{#k}` and the literals' bytes in order.
   */
  async cmd(command: string): Promise<{ done: string; responses: { text: string; literals: Buffer[] }[] }> {
    const tag = `L${++this.n}`;
    this.socket.write(`${tag} ${command}\r\n`);
    const responses: { text: string; literals: Buffer[] }[] = [];
    for (;;) {
      let text = '';
      const literals: Buffer[] = [];
      for (;;) {
        const l = await this.line();
        const m = /~?\{(\d+)\}$/.exec(l);
        if (!m) {
          text += l;
          break;
        }
        text += `${l.slice(0, m.index)}{#${literals.length}}`;
        literals.push(await this.take(Number(m[1])));
      }
      if (text.startsWith(`${tag} `)) return { done: text.slice(tag.length + 1), responses };
      responses.push({ text, literals });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Quoted-printable as an encoder would write it: `=` and 8-bit bytes as =XX, soft breaks within 76. */
function toQuotedPrintable(data: Buffer): string {
  const tokens = [...data].map((b) =>
    b === 0x3d || b > 0x7e || (b < 0x20 && b !== 0x0d && b !== 0x0a)
      ? `=${b.toString(16).toUpperCase().padStart(2, '0')}`
      : String.fromCharCode(b),
  );
  let out = '';
  let lineLength = 0;
  for (const t of tokens) {
    if (t === '\n') lineLength = 0;
    else if (lineLength + t.length > 75) {
      out += '=\r\n';
      lineLength = 0;
    }
    out += t;
    if (t !== '\n') lineLength += t.length;
  }
  return out;
}

describe('imap FETCH of sections and partials of a large message, read by range', () => {
  let f: ImapFixture;
  let c: LiteralClient;
  const prefix = 'Return-Path: <a@example.test>\r\nDelivered-To: alice@example.test\r\n';
  const header =
    'From: a@example.test\r\nTo: alice@example.test\r\nSubject: sections\r\nMIME-Version: 1.0\r\n' +
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n';
  const text = 'plain text line, part one of a large message\r\n'.repeat(8000).slice(0, -2);
  const attachment = randomBytes(900_000);
  // Every byte value, with NUL, CR and LF alone as well as in pairs: the decoder sees them all.
  const qpSource = Buffer.concat(
    Array.from({ length: 1500 }, (_, i) =>
      Buffer.from(`line ${i}: caf\u00e9 = na\u00efve \u2603 ${String.fromCharCode(i % 256)}\r\n`, 'utf8'),
    ),
  );
  const qp = toQuotedPrintable(qpSource);
  const mime = {
    text: 'Content-Type: text/plain; charset=us-ascii\r\n\r\n',
    attachment: 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n',
    qp: 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
    inner: 'Content-Type: message/rfc822\r\n\r\n',
    uu: 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n',
  };
  const innerHeader = 'Subject: inner\r\nFrom: b@example.test\r\n\r\n';
  const innerBody = 'inner body\r\nof the enclosed message';
  const base64 = attachment.toString('base64').replace(/(.{76})/g, '$1\r\n');
  const parts = [
    [mime.text, text],
    [mime.attachment, base64],
    [mime.qp, qp],
    [mime.inner, innerHeader + innerBody],
    [mime.uu, 'begin 644 x\r\n`\r\nend'],
  ];
  const blob =
    header + 'preamble\r\n' + parts.map(([h, b]) => `--b1\r\n${h}${b}\r\n`).join('') + '--b1--\r\n';
  const whole = Buffer.from(prefix + blob, 'latin1');

  before(async () => {
    assert.ok(whole.length > STREAM_OVER, 'larger than the streaming threshold');
    f = await imapFixture(0);
    // Delivered with a per-recipient prefix: every stored offset is shifted by its length.
    const { app } = f.server;
    await app.mailbox.deliver({
      accountId: f.accounts.alice,
      blob: await app.store.blobs.put(Buffer.from(blob, 'latin1')),
      prefix: Buffer.from(prefix, 'latin1'),
      dedupeKey: 'large-sections',
    });
    c = await LiteralClient.login(f.port);
    await c.cmd('SELECT INBOX');
  });
  after(async () => {
    c?.close();
    await f.close();
  });

  /** One FETCH of message 1: the response text and its literals. */
  async function fetch1(items: string): Promise<{ text: string; literals: Buffer[] }> {
    const r = await c.cmd(`FETCH 1 (${items})`);
    assert.equal(r.done, 'OK FETCH completed');
    assert.equal(r.responses.length, 1, JSON.stringify(r.responses.map((x) => x.text)));
    return r.responses[0]!;
  }

  it('BODY[n], BODY[n.MIME], BODY[n.TEXT], BODY[n.HEADER] and the top-level sections', async () => {
    const r = await fetch1(
      'UID BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[2.MIME] BODY.PEEK[3] BODY.PEEK[4.HEADER] BODY.PEEK[4.TEXT] ' +
        'BODY.PEEK[HEADER.FIELDS (Subject Delivered-To)] RFC822.HEADER RFC822.SIZE BODY.PEEK[TEXT] BODY.PEEK[9]',
    );
    assert.equal(
      r.text,
      '* 1 FETCH (UID 1 BODY[1] {#0} BODY[2] {#1} BODY[2.MIME] {#2} BODY[3] {#3} BODY[4.HEADER] {#4} ' +
        'BODY[4.TEXT] {#5} BODY[HEADER.FIELDS (SUBJECT DELIVERED-TO)] {#6} RFC822.HEADER {#7} ' +
        `RFC822.SIZE ${whole.length} BODY[TEXT] {#8} BODY[9] NIL)`,
    );
    const got = r.literals.map((l) => l.toString('latin1'));
    assert.ok(got[0] === text, 'BODY[1]');
    assert.ok(got[1] === base64, 'BODY[2]');
    assert.equal(got[2], mime.attachment);
    assert.ok(got[3] === qp, 'BODY[3]');
    assert.equal(got[4], innerHeader);
    assert.equal(got[5], innerBody);
    assert.equal(got[6], 'Delivered-To: alice@example.test\r\nSubject: sections\r\n\r\n');
    assert.equal(got[7], prefix + header);
    assert.ok(got[8] === blob.slice(header.length), 'BODY[TEXT]');
  });

  it('BINARY[n] and BINARY.SIZE[n] undo base64 and quoted-printable; an unknown encoding is NO [UNKNOWN-CTE]', async () => {
    const r = await fetch1(
      'BINARY.SIZE[2] BINARY.PEEK[2] BINARY.SIZE[3] BINARY.PEEK[3] BINARY.PEEK[1] BINARY.PEEK[9]',
    );
    assert.equal(
      r.text,
      `* 1 FETCH (BINARY.SIZE[2] ${attachment.length} BINARY[2] {#0} BINARY.SIZE[3] ${qpSource.length} ` +
        'BINARY[3] {#1} BINARY[1] {#2} BINARY[9] NIL)',
    );
    assert.ok(r.literals[0]!.equals(attachment), 'BINARY[2] is the attachment');
    assert.ok(r.literals[1]!.equals(qpSource), 'BINARY[3] is the decoded text');
    assert.ok(r.literals[2]!.toString('latin1') === text, 'BINARY[1]: 7bit as it is');
    const uu = await c.cmd('FETCH 1 (BINARY.PEEK[5])');
    assert.equal(uu.done, 'NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding');
  });

  it('partials of sections, of decoded parts and of the whole message, past the end too', async () => {
    const r = await fetch1(
      'BODY.PEEK[]<0.100> BODY.PEEK[2]<1000.300000> BINARY.PEEK[2]<899990.100> BINARY.PEEK[3]<5.20> ' +
        'BINARY.PEEK[2]<123457.400000> BODY.PEEK[1]<99999999.10> BODY.PEEK[HEADER.FIELDS (SUBJECT)]<3.5>',
    );
    assert.equal(
      r.text,
      '* 1 FETCH (BODY[]<0> {#0} BODY[2]<1000> {#1} BINARY[2]<899990> {#2} BINARY[3]<5> {#3} ' +
        'BINARY[2]<123457> {#4} BODY[1]<99999999> {#5} BODY[HEADER.FIELDS (SUBJECT)]<3> {#6})',
    );
    const [head, b2, tail, q, mid, past, fields] = r.literals;
    assert.ok(head!.equals(whole.subarray(0, 100)));
    assert.ok(b2!.toString('latin1') === base64.slice(1000, 301_000));
    assert.ok(tail!.equals(attachment.subarray(899_990)));
    assert.ok(q!.equals(qpSource.subarray(5, 25)));
    assert.ok(mid!.equals(attachment.subarray(123_457, 523_457)));
    assert.equal(past!.length, 0);
    assert.equal(fields!.toString('latin1'), 'ject:');
  });

  it('BODY[2] without PEEK sets \\Seen and says so after the streamed section', async () => {
    const r = await fetch1('BODY[2]');
    assert.equal(r.text, '* 1 FETCH (BODY[2] {#0} FLAGS (\\Seen \\Recent))');
    assert.ok(r.literals[0]!.toString('latin1') === base64);
  });

  it("Python's imaplib fetches sections, a decoded attachment and a partial of the large message", async () => {
    const script = `
import imaplib, hashlib, json
m = imaplib.IMAP4('127.0.0.1', ${f.port})
m.login('${ALICE.user}', '${ALICE.pass}')
m.select('INBOX', readonly=True)
typ, data = m.fetch('1', '(BODY.PEEK[2] BINARY.PEEK[2] BODY.PEEK[3]<10.70> BODY.PEEK[4.TEXT])')
parts = [d for d in data if isinstance(d, tuple)]
print(json.dumps({'typ': typ, 'heads': [p[0].decode() for p in parts], 'sha': [hashlib.sha256(p[1]).hexdigest() for p in parts]}))
m.logout()`;
    const r = await new Promise<{ err: Error | null; stdout: string; stderr: string }>((resolve) =>
      execFile('python3', ['-c', script], { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        resolve({ err, stdout, stderr }),
      ),
    );
    assert.equal(r.err, null, r.stderr);
    const sha = (d: Buffer | string) => createHash('sha256').update(d).digest('hex');
    const out = JSON.parse(r.stdout) as { typ: string; heads: string[]; sha: string[] };
    assert.equal(out.typ, 'OK');
    assert.deepEqual(out.heads, [
      `1 (BODY[2] {${base64.length}}`,
      ` BINARY[2] ~{${attachment.length}}`,
      ' BODY[3]<10> {70}',
      ` BODY[4.TEXT] {${innerBody.length}}`,
    ]);
    assert.deepEqual(out.sha, [
      sha(Buffer.from(base64, 'latin1')),
      sha(attachment),
      sha(Buffer.from(qp.slice(10, 80), 'latin1')),
      sha(innerBody),
    ]);
  });
});
