import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { mxMatches, parseStsPolicy, parseStsRecord } from './mta-sts.js';

test('TXT records: v=STSv1 first, an id of 1-32 alphanumerics', () => {
  assert.equal(parseStsRecord('v=STSv1; id=20160831085700Z;'), '20160831085700Z');
  assert.equal(parseStsRecord('v=STSv1;id=abc; ext=1'), 'abc');
  assert.equal(parseStsRecord('id=abc; v=STSv1'), undefined);
  assert.equal(parseStsRecord('v=STSv2; id=abc'), undefined);
  assert.equal(parseStsRecord('v=STSv1; id=ab-c'), undefined);
  assert.equal(parseStsRecord('v=STSv1'), undefined);
  assert.equal(parseStsRecord('v=spf1 -all'), undefined);
});

test('policies (RFC 8461 §3.2 example) and the errors that make one invalid', () => {
  assert.deepEqual(
    parseStsPolicy(
      'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n',
    ),
    { mode: 'enforce', mx: ['mail.example.com', '*.example.net', 'backupmx.example.com'], maxAge: 604800 },
  );
  assert.deepEqual(parseStsPolicy('version: STSv1\nmode: none\nmax_age: 0\n'), {
    mode: 'none',
    mx: [],
    maxAge: 0,
  });
  assert.throws(() => parseStsPolicy('mode: enforce\nmx: a.b\nmax_age: 1'), /no "version: STSv1"/);
  assert.throws(
    () => parseStsPolicy('version: STSv1\nmode: strict\nmx: a.b\nmax_age: 1'),
    /mode "strict" is not/,
  );
  assert.throws(
    () => parseStsPolicy('version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 99999999'),
    /max_age "99999999"/,
  );
  assert.throws(() => parseStsPolicy('version: STSv1\nmode: enforce\nmax_age: 5'), /names no mx/);
  assert.throws(() => parseStsPolicy('version: STSv1\nmode: enforce\nmx: *.*.b\nmax_age: 5'), /mx pattern/);
  assert.throws(() => parseStsPolicy('<html>not a policy</html>'), /not KEY: VALUE/);
});

test('MX patterns: exact names, and a wildcard for exactly one more label', () => {
  assert.ok(mxMatches('mx.example.com', 'MX.example.com.'));
  assert.ok(mxMatches('*.example.net', 'mx1.example.net'));
  assert.ok(!mxMatches('*.example.net', 'example.net'));
  assert.ok(!mxMatches('*.example.net', 'a.mx1.example.net'));
  assert.ok(!mxMatches('mx.example.com', 'mx.example.com.evil.test'));
});

test('fuzz: the parsers take any text without throwing anything but their own errors', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => {
      parseStsRecord(text);
      try {
        const p = parseStsPolicy(text);
        assert.ok(p.maxAge >= 0 && p.maxAge <= 31_557_600);
        assert.ok(p.mode === 'none' || p.mx.length > 0);
      } catch (e) {
        assert.match((e as Error).message, /^MTA-STS /);
      }
    }),
    { numRuns: fuzzRuns() },
  );
  fc.assert(
    fc.property(
      fc.constantFrom('enforce', 'testing', 'none'),
      fc.array(fc.domain(), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 31_557_600 }),
      (mode, mx, age) => {
        const p = parseStsPolicy(
          `version: STSv1\nmode: ${mode}\n${mx.map((m) => `mx: ${m}\n`).join('')}max_age: ${age}\n`,
        );
        assert.deepEqual(p, { mode, mx: mx.map((m) => m.toLowerCase()), maxAge: age });
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
