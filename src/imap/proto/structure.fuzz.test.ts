import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { encodeBodyStructure, encodeEnvelope } from './protocol/fetch.js';
import { extractBinary, extractSection } from './section.js';
import { type BodyStructure, isMultipart, parseStructure } from './structure.js';

const mimeish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'Content-Type: multipart/mixed; boundary=b\r\n',
        'Content-Type: message/rfc822\r\n',
        'Content-Type: text/plain; charset="x\\"y"; name*0=a\r\n',
        'Content-Transfer-Encoding: base64\r\n',
        'Content-Transfer-Encoding: quoted-printable\r\n',
        'Content-Disposition: attachment; filename=(c) "x"\r\n',
        'From: "a" <b@c>, d:e@f;, (g) h\r\n',
        'To: <@x,@y:z@w>\r\n',
        '\r\n',
        '--b\r\n',
        '--b--\r\n',
        '=4\r\n',
        ' folded\r\n',
      ),
      fc.string({ maxLength: 10 }),
    ),
    { maxLength: 30 },
  )
  .map((p) => Buffer.from(p.join(''), 'latin1'));

function* paths(b: BodyStructure, prefix: number[]): Generator<number[]> {
  yield prefix;
  if (isMultipart(b)) {
    for (let i = 0; i < b.parts.length; i++) yield* paths(b.parts[i]!, [...prefix, i + 1]);
  } else if (b.message && prefix.length < 6) {
    yield* paths(b.message.body, [...prefix, 1]);
  }
}

function checkOffsets(b: BodyStructure, size: number): void {
  assert.ok(0 <= b.headerStart && b.headerStart <= b.bodyStart && b.bodyStart <= b.end && b.end <= size);
  if (isMultipart(b)) for (const p of b.parts) checkOffsets(p, size);
  else if (b.message) checkOffsets(b.message.body, size);
}

it('structure: any message parses, serialises, and every part extracts within bounds', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        mimeish,
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      ),
      (raw) => {
        const s = parseStructure(raw);
        checkOffsets(s.body, raw.length);
        encodeEnvelope(s.envelope);
        encodeBodyStructure(s.body, true);
        for (const p of paths(s.body, [])) {
          for (const text of [undefined, 'HEADER', 'TEXT', 'MIME', 'HEADER.FIELDS'] as const) {
            if (text === 'MIME' && p.length === 0) continue;
            extractSection(raw, s, { part: p, text, fields: ['FROM'] });
          }
          extractBinary(raw, s, p);
        }
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
