import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { cutNonEmpty, fuzzRuns } from '../../test/support/fuzz.js';
import { MailsteadError } from '../core/errors.js';
import { headerEnd, parseHeaderBlock } from './header-block.js';
import { hasBareLf, receiveMessage } from './message-receiver.js';
import { receivedHeader } from './received-header.js';

const MAX_HEADER = 512;
const piece = fc.oneof(
  fc.constantFrom(
    '\r\n',
    '\n',
    '\r',
    '\0',
    '\r\n\r\n',
    'Received: x\r\n',
    'Subject: s\r\n',
    ' folded\r\n',
    ':',
  ),
  fc.string({ maxLength: 40 }),
  fc.nat({ max: 700 }).map((n) => 'a'.repeat(n)),
);
const message = fc.array(piece, { maxLength: 30 }).map((p) => Buffer.from(p.join(''), 'utf8'));

async function receive(chunks: Buffer[]): Promise<{ stored: Buffer; receivedCount: number } | string> {
  const stored: Buffer[] = [];
  try {
    const r = await receiveMessage(
      Readable.from(chunks),
      { maxHeaderBytes: MAX_HEADER, rejectBareLf: true, onHeaders: () => undefined },
      async (body) => {
        for await (const c of body) stored.push(Buffer.from(c));
        return { hash: 'h', size: 0 };
      },
    );
    return { stored: Buffer.concat(stored), receivedCount: r.headers.receivedCount };
  } catch (e) {
    if (!(e instanceof MailsteadError) || !e.smtp) throw e;
    return e.smtpReply();
  }
}

test('receiveMessage: any chunking gives the same verdict; an accepted message is kept byte for byte', async () => {
  await fc.assert(
    fc.asyncProperty(message, fc.array(fc.nat(), { maxLength: 6 }), async (buf, cuts) => {
      const whole = await receive([buf]);
      const chunked = await receive(cutNonEmpty(buf, cuts));
      const bareLf = hasBareLf(buf, -1);
      const end = headerEnd(buf);
      const refusals = [
        ...(buf.includes(0) ? [/^554 5\.6\.0 .*NUL/] : []),
        ...(bareLf ? [/^554 5\.6\.0 .*bare LF/] : []),
        ...((end < 0 ? buf.length : end) > MAX_HEADER ? [/^552 5\.3\.4 .*header/] : []),
      ];
      for (const r of [whole, chunked]) {
        if (typeof r === 'string')
          assert.ok(
            refusals.some((x) => x.test(r)),
            `${r} for ${JSON.stringify(buf.toString())}`,
          );
        else {
          assert.equal(refusals.length, 0, 'accepted although it must be refused');
          assert.ok(r.stored.equals(buf));
        }
      }
      if (typeof whole !== 'string' && typeof chunked !== 'string')
        assert.equal(chunked.receivedCount, whole.receivedCount, 'header facts do not depend on chunking');
    }),
    { numRuns: fuzzRuns() },
  );
});

test('hasBareLf over consecutive chunks equals the check of the whole', () => {
  fc.assert(
    fc.property(message, fc.array(fc.nat(), { maxLength: 6 }), (buf, cuts) => {
      let prev = -1;
      let found = false;
      for (const c of cutNonEmpty(buf, cuts)) {
        found ||= hasBareLf(c, prev);
        prev = c[c.length - 1]!;
      }
      assert.equal(found, hasBareLf(buf, -1));
    }),
    { numRuns: fuzzRuns() },
  );
});

test('parseHeaderBlock takes any bytes; headerEnd is right after the first blank line', () => {
  fc.assert(
    fc.property(message, (buf) => {
      const h = parseHeaderBlock(buf);
      assert.ok(h.receivedCount >= 0);
      assert.ok(h.subject === null || h.subject.length <= 998);
      const end = headerEnd(buf);
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      assert.match(head, /(^|\n)\r?\n$/);
      assert.doesNotMatch(head.slice(0, -1), /(^|\n)\r?\n/, 'no earlier blank line');
    }),
    { numRuns: fuzzRuns() },
  );
});

test('Received: whatever the client names itself, the header stays one header of CRLF lines', () => {
  const any = fc.string({ unit: 'binary', maxLength: 40 });
  fc.assert(
    fc.property(any, fc.option(any), fc.option(any), any, (helo, clientName, authUser, rcpt) => {
      const h = receivedHeader({
        helo,
        clientName,
        clientIp: '192.0.2.1',
        hostname: 'mx.example',
        protocol: 'ESMTP',
        queueId: 'Q1',
        tls: null,
        authUser,
        recipients: [rcpt],
        time: new Date(0),
      });
      assert.ok(h.startsWith('Received: from '));
      assert.ok(h.endsWith('\r\n'));
      const lines = h.slice(0, -2).split('\r\n');
      for (const [i, l] of lines.entries()) {
        assert.doesNotMatch(l, /[\r\n]/);
        if (i > 0) assert.ok(l.startsWith('\t'), `continuation line ${JSON.stringify(l)}`);
      }
      // Comments stay balanced: a name cannot close the "(...)" it sits in.
      const first = lines[0]!;
      assert.equal((first.match(/\(/g) ?? []).length, (first.match(/\)/g) ?? []).length);
    }),
    { numRuns: fuzzRuns() },
  );
});
