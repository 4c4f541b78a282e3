import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { numberPlaceholders } from './postgres-db.js';

/** SQL made of plain text, `?` placeholders and quoted literals (which may hold `?` and doubled quotes). */
const plain = fc.stringMatching(/^[a-z0-9 ,()=*]*$/);
const quoted = (q: string) => fc.stringMatching(/^[a-z ?$]*$/).map((s) => q + s.replaceAll(q, q + q) + q);
const segment = fc.oneof(
  plain.map((text) => ({ text, params: 0 })),
  fc.constant({ text: '?', params: 1 }),
  quoted("'").map((text) => ({ text, params: 0 })),
  quoted('"').map((text) => ({ text, params: 0 })),
);

it('numbers every ? outside quotes in order and leaves quoted text untouched', () => {
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 20 }), (segments) => {
      let n = 0;
      const expected = segments.map((s) => (s.params ? `$${++n}` : s.text)).join('');
      assert.equal(numberPlaceholders(segments.map((s) => s.text).join('')), expected);
    }),
    { numRuns: fuzzRuns() },
  );
});
