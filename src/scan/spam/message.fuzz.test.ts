import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { bayesTokens } from './bayes.js';
import { prepareMessage } from './message.js';

const header = fc.oneof(
  fc.constantFrom(
    'Content-Type: multipart/mixed; boundary="b"',
    'Content-Type: multipart/alternative; boundary=b',
    'Content-Type: text/html; charset=x-unknown',
    'Content-Type: text/plain; charset=iso-2022-jp',
    'Content-Type: message/rfc822',
    'Content-Transfer-Encoding: base64',
    'Content-Transfer-Encoding: quoted-printable',
    'Subject: =?utf-8?B?broken',
    'Subject: =?bogus?Q?x?=',
    ' folded continuation',
    'no colon here',
    'From: <a@b>',
  ),
  fc.string({ maxLength: 40 }),
);
const bodyLine = fc.oneof(
  fc.constantFrom(
    '--b',
    '--b--',
    '',
    '<html><body><p>x',
    '<a href="http://x.example/">y</a>',
    '=3D=ZZ=',
    '&#x110000;&#65;&amp',
    'Content-Type: multipart/mixed; boundary="b"',
    '\xff\xfe\x80',
    '<!-- unterminated',
    '<script>',
  ),
  fc.string({ maxLength: 60 }),
);
const message = fc
  .tuple(fc.array(header, { maxLength: 8 }), fc.array(bodyLine, { maxLength: 40 }))
  .map(([h, b]) => Buffer.from(`${h.join('\n')}\n\n${b.join('\n')}`, 'latin1'));

test('message preparation never throws on malformed MIME and stays fast', () => {
  fc.assert(
    fc.property(message, (raw) => {
      const t0 = performance.now();
      const m = prepareMessage(raw);
      bayesTokens(m);
      assert.ok(Array.isArray(m.body) && m.body.length >= 1);
      assert.ok(performance.now() - t0 < 2000);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('deeply nested multiparts are cut at the depth limit', () => {
  let raw = 'Subject: deep\nContent-Type: multipart/mixed; boundary="b0"\n\n';
  for (let i = 1; i < 200; i++) raw += `--b${i - 1}\nContent-Type: multipart/mixed; boundary="b${i}"\n\n`;
  raw += 'leaf\n';
  const t0 = performance.now();
  const m = prepareMessage(Buffer.from(raw));
  assert.ok(performance.now() - t0 < 2000);
  let depth = 0;
  for (let p = m.root; p.children[0]; p = p.children[0]) depth++;
  assert.ok(depth <= 20);
});

test('many parts are capped and flagged', () => {
  const raw = 'Content-Type: multipart/mixed; boundary="b"\n\n' + '--b\n\nx\n'.repeat(5000) + '--b--\n';
  const m = prepareMessage(Buffer.from(raw));
  assert.ok(m.flags.has('mimepart_limit_exceeded'));
  assert.ok(m.parts.length <= 1000);
});
