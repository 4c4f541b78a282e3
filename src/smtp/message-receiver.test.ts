import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { MailsteadError } from '../core/errors.js';
import { headerEnd, parseHeaderBlock } from './header-block.js';
import { hasBareLf, receiveMessage } from './message-receiver.js';
import { receivedHeader } from './received-header.js';

async function receive(chunks: string[], opts: { maxHeaderBytes?: number } = {}) {
  const stored: Buffer[] = [];
  const stream = Readable.from(chunks.map((c) => Buffer.from(c, 'latin1')));
  return receiveMessage(
    stream,
    { maxHeaderBytes: opts.maxHeaderBytes ?? 1024, rejectBareLf: true, onHeaders: () => undefined },
    async (body) => {
      for await (const c of body) stored.push(c);
      return { hash: 'h', size: Buffer.concat(stored).length };
    },
  );
}

test('header block end and parse, across chunk boundaries', async () => {
  assert.equal(headerEnd(Buffer.from('A: b\r\n\r\nbody')), 8);
  assert.equal(headerEnd(Buffer.from('\r\nbody')), 2);
  assert.equal(headerEnd(Buffer.from('A: b\r\n')), -1);
  const h = parseHeaderBlock(
    Buffer.from(
      'Received: x\r\nReceived: y\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nMessage-ID: <1@x>\r\nSender: Bob <bob@x>\r\n\r\n',
    ),
  );
  assert.deepEqual(h, {
    receivedCount: 2,
    messageId: '<1@x>',
    subject: 'café',
    from: null,
    sender: 'Bob <bob@x>',
  });
  const r = await receive(['Subject: split\r', '\n\r', '\nbody\r\n']);
  assert.equal(r.headers.subject, 'split');
});

test('bare LF is found across chunks; CRLF is not', () => {
  assert.ok(hasBareLf(Buffer.from('a\nb'), -1));
  assert.ok(!hasBareLf(Buffer.from('a\r\nb'), -1));
  assert.ok(!hasBareLf(Buffer.from('\nb'), 0x0d));
  assert.ok(hasBareLf(Buffer.from('\nb'), 0x61));
});

test('refusals stop the stream: NUL, bare LF, oversized header block', async () => {
  const code = async (chunks: string[]) =>
    (
      (await receive(chunks).then(
        () => undefined,
        (e: MailsteadError) => e,
      )) as MailsteadError | undefined
    )?.smtpReply();
  assert.match((await code(['Subject: a\r\n\r\nx\0y\r\n'])) ?? '', /^554 5\.6\.0 .*NUL/);
  assert.match((await code(['Subject: a\r\n\r\nx\ny\r\n'])) ?? '', /^554 5\.6\.0 .*bare LF/);
  assert.match((await code([`X: ${'a'.repeat(2000)}\r\n\r\nbody\r\n`])) ?? '', /^552 5\.3\.4 /);
});

test('Received header names TLS, the logged-in user and a single recipient', () => {
  const h = receivedHeader({
    helo: 'c.example',
    clientName: null,
    clientIp: '192.0.2.1',
    hostname: 'mx.example',
    protocol: 'ESMTPSA',
    queueId: 'Q1',
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
    authUser: 'bob@x',
    recipients: ['a@x'],
    time: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
  });
  assert.equal(
    h,
    'Received: from c.example ([192.0.2.1])\r\n\tby mx.example (Mailstead) with ESMTPSA id Q1\r\n\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)\r\n\t(authenticated as bob@x)\r\n\tfor <a@x>; Thu, 2 Jan 2025 03:04:05 +0000\r\n',
  );
});
