import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { parseAddressList } from './address.js';

// Found by the SMTP wire fuzz: a stray ')' in From: made the tokenizer loop forever at delivery.
test('a stray closing parenthesis is skipped, not looped on', () => {
  assert.deepEqual(parseAddressList('a) <x@example.test>'), [
    { name: 'a', adl: null, mailbox: 'x', host: 'example.test' },
  ]);
});

test('any header value parses in bounded time to addresses with string or null parts', () => {
  const char = fc.oneof(
    fc.constantFrom(...' \t\r\n()"<>@,;:.[]\\'.split('')),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }),
  );
  fc.assert(
    fc.property(fc.array(char, { maxLength: 80 }), (parts) => {
      const list = parseAddressList(parts.join(''));
      assert.ok(list.length <= parts.length + 2);
      for (const a of list)
        for (const v of [a.name, a.adl, a.mailbox, a.host]) assert.ok(v === null || typeof v === 'string');
    }),
    { numRuns: fuzzRuns() },
  );
});
