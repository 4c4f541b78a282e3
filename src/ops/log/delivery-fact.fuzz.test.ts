import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FactReader, parseDeliveryLine } from './delivery-fact.js';
import { fuzzRuns } from '../../../test/support/fuzz.js';

const literal = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }));
const iso = fc
  .date({ min: new Date(0), max: new Date(Date.UTC(2100, 0)), noInvalidDate: true })
  .map((d) => d.toISOString());
/** Strings as the log writes them and strings with the characters that matter to a scanner. */
const text = fc.oneof(
  fc.constantFrom('ann@here.test', 'Bob@Far.Example', '', 'webmail', 'local', 'remote', 'success', 'failure'),
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '{', '}', ',', ':', ' ', 'é', '\u{1F600}', '\n') }),
  fc.string(),
);
const value = (s: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 4, arbitrary: s }, { weight: 1, arbitrary: literal });

const record = fc.record(
  {
    time: value(
      fc.oneof(
        iso,
        iso.map((t) => t.replace('Z', '+02:00')),
        text,
        fc.constant('2024-05-01T24:30:00.000Z'),
      ),
    ),
    queueId: value(text),
    sender: value(text),
    recipient: value(text),
    kind: value(fc.constantFrom('local', 'remote', 'toString', 'other')),
    result: value(fc.constantFrom('success', 'deferral', 'failure', 'constructor')),
    reply: value(text),
    size: value(fc.oneof(fc.integer().map(String), text)),
    authUser: value(text),
    source: value(fc.constantFrom('webmail', 'smtp', 'submission')),
    extra: fc.oneof(
      literal,
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.string(), fc.integer()),
    ),
  },
  { requiredKeys: [] },
);

test('the quick reader and JSON.parse read every line alike', () => {
  const reader = new FactReader();
  fc.assert(
    fc.property(record, fc.nat(), record, (r, cut, s) => {
      const line = JSON.stringify(r);
      assert.deepEqual(reader.read(line), parseDeliveryLine(line)?.fact, line);
      // A torn line: a writer stopped mid-line and the next one carried on after it.
      const torn = line.slice(0, cut % (line.length + 1)) + JSON.stringify(s);
      assert.deepEqual(reader.read(torn), parseDeliveryLine(torn)?.fact, torn);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('the quick reader and JSON.parse agree on lines with bytes changed', () => {
  const reader = new FactReader();
  const base =
    '{"time":"2024-05-01T10:00:00.000Z","queueId":"q1","messageId":null,"sender":"ann@here.test","recipient":"bob@far.test","kind":"remote","result":"success","reply":"250 ok","size":120,"clientIp":null,"authUser":"ann@here.test","source":"webmail"}';
  fc.assert(
    fc.property(
      fc.nat(base.length - 1),
      fc.constantFrom('"', ',', ':', '}', '{', ' ', 'x', '1', ''),
      (at, c) => {
        const line = base.slice(0, at) + c + base.slice(at + 1);
        assert.deepEqual(reader.read(line), parseDeliveryLine(line)?.fact, line);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
