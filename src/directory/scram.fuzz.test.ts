import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../test/support/fuzz.js';
import { scramCredential, ScramError, ScramServer } from './scram.js';

const scramChars = fc.constantFrom(
  ...'nyp,=arcsi2CD3Dbiws+/xyz0123456789'.split(''),
  'n,,',
  'n=',
  ',r=',
  ',p=',
  'c=biws',
);

test('any client message is accepted or refused with ScramError, never another exception', async () => {
  const cred = await scramCredential('SCRAM-SHA-256', 'pencil', 1);
  const messages = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(scramChars, { maxLength: 60 }).map((a) => a.join('')),
  );
  fc.assert(
    fc.property(messages, messages, (first, final) => {
      const s = new ScramServer('SCRAM-SHA-256', 'S');
      try {
        s.clientFirst(first);
        s.serverFirst(cred);
        assert.equal(s.clientFinal(final), undefined, 'a random proof never verifies');
      } catch (e) {
        if (!(e instanceof ScramError)) throw e;
      }
    }),
    { numRuns: fuzzRuns() },
  );
});
