import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../test/support/fuzz.js';
import { addressKey, formatAddress, normalizeDomain, parseAddress, splitSubaddress } from './address.js';

const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,12}[a-zA-Z0-9])?$/);
/** A top label with a letter: all-numeric or hex (`0x…`) ones read as IPv4 and are not names (tested below). */
const topLabel = fc
  .tuple(label, fc.stringMatching(/^[a-zA-Z]$/))
  .map(([l, c]) => `${l.slice(0, -1)}${c}`)
  .filter((t) => !/^0x[0-9a-f]*$/i.test(t));
const domain = fc.tuple(fc.array(label, { maxLength: 3 }), topLabel).map(([l, t]) => [...l, t].join('.'));
const atom = fc.stringMatching(/^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,12}$/);
const local = fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));

test('parseAddress and normalizeDomain never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      parseAddress(s);
      normalizeDomain(s);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('a well-formed address round-trips: local part kept, domain lower-cased', () => {
  fc.assert(
    fc.property(local, domain, (l, d) => {
      const a = parseAddress(`${l}@${d}`);
      assert.ok(a, `${l}@${d}`);
      assert.equal(a.local, l);
      assert.equal(a.domain, d.toLowerCase());
      assert.deepEqual(parseAddress(formatAddress(a)), a);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('whatever parses has a key that parses to the same key', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`),
        fc.string({ maxLength: 80 }),
      ),
      (s) => {
        const a = parseAddress(s);
        if (!a) return;
        const key = addressKey(a);
        assert.equal(key, key.toLowerCase());
        const again = parseAddress(key);
        assert.ok(again, key);
        assert.equal(addressKey(again), key);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('a name whose top label is a number is not a domain', () => {
  for (const name of ['0', '123', 'a.0x10', 'mail.1']) assert.equal(normalizeDomain(name), undefined, name);
  assert.equal(normalizeDomain('1mail.example'), '1mail.example');
});

test('normalizeDomain is idempotent', () => {
  fc.assert(
    fc.property(fc.oneof(domain, fc.string({ maxLength: 60 })), (s) => {
      const n = normalizeDomain(s);
      if (n !== undefined) assert.equal(normalizeDomain(n), n);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('splitSubaddress splits at the first delimiter and loses nothing', () => {
  fc.assert(
    fc.property(local, (l) => {
      const { base, detail } = splitSubaddress(l);
      if (detail === undefined) assert.equal(base, l);
      else {
        assert.equal(`${base}+${detail}`, l);
        assert.ok(!base.includes('+') && base.length > 0);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});
