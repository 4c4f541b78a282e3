import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildDsn, headerBlock, statusOf } from './dsn-message.js';

const original = Buffer.from('From: a@x.test\r\nTo: b@y.test\r\nSubject: hi\r\n\r\nbody line\r\n');

test('statusOf takes the enhanced code, else the class of the basic code', () => {
  assert.equal(statusOf('550 5.1.1 <b@y.test>: user unknown', 5), '5.1.1');
  assert.equal(statusOf('mx.y.test said: 452 4.2.2 mailbox full', 4), '4.2.2');
  assert.equal(statusOf('554 rejected', 5), '5.0.0');
  assert.equal(statusOf('connection refused', 4), '4.0.0');
});

test('a failure DSN is a multipart/report with delivery-status and the original', async () => {
  const dsn = buildDsn({
    reportingMta: 'mail.x.test',
    from: 'MAILER-DAEMON@mail.x.test',
    to: 'a@x.test',
    queueId: 'Q1',
    envid: 'env-42',
    arrivalDate: Date.UTC(2026, 0, 1),
    headersOnly: false,
    original,
    recipients: [
      {
        finalRecipient: 'b@y.test',
        originalRecipient: 'rfc822;B@y.test',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 user unknown',
        remoteMta: 'mx.y.test',
        lastAttempt: Date.UTC(2026, 0, 1, 0, 1),
      },
    ],
    now: Date.UTC(2026, 0, 1, 0, 2),
  });
  const text = dsn.toString();
  assert.match(text, /^Content-Type: multipart\/report; report-type=delivery-status; boundary=/m);
  assert.match(text, /^Auto-Submitted: auto-replied$/m);
  assert.match(text, /^Original-Envelope-Id: env-42\r$/m);
  assert.match(text, /^Original-Recipient: rfc822;B@y.test\r$/m);
  assert.match(
    text,
    /^Final-Recipient: rfc822; b@y.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.y.test\r$/m,
  );
  assert.match(text, /^Content-Type: message\/rfc822\r\n\r\nFrom: a@x.test\r\n/m);
  const parsed = await simpleParser(dsn);
  assert.equal(parsed.subject, 'Undelivered Mail Returned to Sender');
  assert.equal(parsed.attachments.length >= 1, true);
});

test('RET=HDRS attaches only the header block as text/rfc822-headers', () => {
  const dsn = buildDsn({
    reportingMta: 'h',
    from: 'MAILER-DAEMON@h',
    to: 'a@x.test',
    queueId: 'Q2',
    envid: null,
    arrivalDate: 0,
    headersOnly: true,
    original,
    recipients: [
      {
        finalRecipient: 'b@y.test',
        originalRecipient: null,
        action: 'delayed',
        status: '4.4.1',
        diagnostic: 'no answer',
        remoteMta: null,
        lastAttempt: 0,
        willRetryUntil: 86_400_000,
      },
    ],
  }).toString();
  assert.match(
    dsn,
    /Content-Type: text\/rfc822-headers\r\n\r\nFrom: a@x.test\r\nTo: b@y.test\r\nSubject: hi\r\n\r\n--/,
  );
  assert.doesNotMatch(dsn, /body line/);
  assert.match(dsn, /Will-Retry-Until: /);
  assert.equal(headerBlock(Buffer.from('A: b\n\nbody')).toString(), 'A: b\n');
});

test('CR/LF in outside text cannot inject header fields', () => {
  const dsn = buildDsn({
    reportingMta: 'h',
    from: 'MAILER-DAEMON@h',
    to: 'a@x.test',
    queueId: 'Q3',
    envid: 'x\r\nBcc: evil@x',
    arrivalDate: 0,
    headersOnly: true,
    original,
    recipients: [
      {
        finalRecipient: 'b@y.test',
        originalRecipient: null,
        action: 'failed',
        status: '5.0.0',
        diagnostic: '550 no\r\nX-Evil: 1',
        remoteMta: null,
        lastAttempt: 0,
      },
    ],
  }).toString();
  assert.doesNotMatch(dsn, /^Bcc:/m);
  assert.doesNotMatch(dsn, /^X-Evil:/m);
});
