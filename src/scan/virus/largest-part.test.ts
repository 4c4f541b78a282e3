import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { largestPart } from './largest-part.js';

async function* chunks(buf: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    if (c <= at || c >= buf.length) continue;
    yield buf.subarray(at, c);
    at = c;
  }
  yield buf.subarray(at);
}
const whole = (text: string) => largestPart(chunks(Buffer.from(text, 'latin1'), []));

const mixed = (parts: string[]) =>
  'Content-Type: multipart/mixed; boundary="b1"\r\nSubject: s\r\n\r\npreamble\r\n' +
  parts.map((p) => `--b1\r\nContent-Type: application/octet-stream\r\n\r\n${p}\r\n`).join('') +
  '--b1--\r\nepilogue\r\n';

test('the largest part body counts its encoded bytes, CRLF included, headers not', async () => {
  const small = 'a'.repeat(98);
  const big = 'b'.repeat(998);
  // each body line is counted with its CRLF; the CRLF before the next boundary belongs to the part
  assert.equal(await whole(mixed([small, big, small])), 1000);
});

test('a message that is not multipart is one part: its whole body', async () => {
  assert.equal(await whole('Subject: plain\r\n\r\nline one\r\nline two\r\n'), 20);
});

test('nested multiparts: the inner parts are measured, a boundary-like line in a body is not one', async () => {
  const inner =
    'Content-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\n\r\n' +
    'x'.repeat(48) +
    '\r\n--inner\r\n\r\n--not-a-boundary\r\n' +
    'y'.repeat(298) +
    '\r\n--inner--\r\n';
  const msg =
    'Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n' +
    inner +
    '--outer\r\n\r\n' +
    'z'.repeat(98) +
    '\r\n--outer--\r\n';
  // '--not-a-boundary' (18 bytes) + 298 + CRLF = 318
  assert.equal(await whole(msg), 318);
});

test('a line with no end is counted as it arrives, not held', async () => {
  const junk = 'Content-Type: text/plain\r\n\r\n' + 'j'.repeat(100_000);
  assert.equal(await whole(junk), 100_000);
});

test('the answer does not depend on how the message is cut into chunks', async () => {
  const part = fc.stringMatching(/^[a-z\r\n-]{0,300}$/);
  await fc.assert(
    fc.asyncProperty(
      fc.array(part, { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat({ max: 2000 }), { maxLength: 12 }),
      async (parts, cuts) => {
        const buf = Buffer.from(mixed(parts), 'latin1');
        assert.equal(await largestPart(chunks(buf, cuts)), await largestPart(chunks(buf, [])));
      },
    ),
    { numRuns: fuzzRuns(200) },
  );
});
