import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { ImapParseError } from './errors.js';
import { decodeUtf7, encodeUtf7 } from './utf7.js';

it('utf7: decode(encode(s)) is s for any Unicode text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      assert.equal(decodeUtf7(encodeUtf7(s)), s);
    }),
    { numRuns: fuzzRuns() },
  );
});

it('utf7: any text decodes or fails with ImapParseError, and what decodes has one spelling', () => {
  const alphabet = fc.constantFrom(
    '&',
    '-',
    'A',
    'Z',
    'a',
    '0',
    '+',
    ',',
    '/',
    ' ',
    'é',
    '\x01',
    'J',
    'j',
    'o',
    'U',
  );
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')),
      (s) => {
        let decoded: string;
        try {
          decoded = decodeUtf7(s);
        } catch (e) {
          assert.ok(e instanceof ImapParseError);
          return;
        }
        assert.equal(encodeUtf7(decoded), s);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
