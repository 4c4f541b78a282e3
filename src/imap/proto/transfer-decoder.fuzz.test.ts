import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { decodeQuotedPrintable, transferDecoder } from './section.js';

/** `data` in pieces of the given lengths (the last piece takes the rest), as the blob store reads it. */
function cut(data: Buffer, lengths: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const n of lengths) {
    if (at >= data.length) break;
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return [...out, data.subarray(at)];
}

function decodeInChunks(encoding: string, chunks: Buffer[]): Buffer {
  const d = transferDecoder(encoding)!;
  return Buffer.concat([...chunks.map((c) => d.push(c)), d.end()]);
}

const pieces = (alphabet: string[]) =>
  fc
    .array(fc.oneof(fc.constantFrom(...alphabet), fc.string({ maxLength: 4 })), { maxLength: 60 })
    .map((p) => Buffer.from(p.join(''), 'latin1'));

const cuts = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 });

it('base64 in chunks decodes as Node decodes the whole, whatever the input and the cuts', () => {
  fc.assert(
    fc.property(
      pieces(['QUJD', 'YQ', 'YWI', '=', '==', '\r\n', ' ', '-_', '+/', '*', '\u00ff', 'Zm9v']),
      cuts,
      (data, points) => {
        const expected = Buffer.from(data.toString('latin1'), 'base64');
        assert.deepEqual(decodeInChunks('base64', cut(data, points)), expected);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('quoted-printable in chunks decodes as the whole does, whatever the input and the cuts', () => {
  fc.assert(
    fc.property(
      pieces(['=', '=3D', '=4', '=\r\n', '= \t \r\n', '=\n', '=  x', '\r', '\n', ' ', '=e9', '=ZZ', 'ab']),
      cuts,
      (data, points) => {
        assert.deepEqual(decodeInChunks('quoted-printable', cut(data, points)), decodeQuotedPrintable(data));
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('a long run of blanks after = across many chunks decides once the next byte comes', () => {
  const blanks = Buffer.alloc(300_000, 0x20);
  for (const next of ['\r\nrest', 'x=41']) {
    const data = Buffer.concat([Buffer.from('a='), blanks, Buffer.from(next)]);
    const chunks = cut(
      data,
      Array.from({ length: 40 }, (_, i) => 2 + i * 7919),
    );
    assert.deepEqual(decodeInChunks('quoted-printable', chunks), decodeQuotedPrintable(data));
  }
});

it('identity encodings pass chunks through; unknown ones have no decoder', () => {
  for (const e of ['7bit', '8bit', 'binary', '']) {
    const data = Buffer.from([0, 1, 0x3d, 0x0d, 0x0a, 0xff]);
    assert.deepEqual(decodeInChunks(e, cut(data, [1, 0, 2])), data);
  }
  assert.equal(transferDecoder('x-uuencode'), undefined);
});
