import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../test/support/fuzz.js';
import { SieveRuntimeError, SieveSyntaxError } from './errors.js';
import { run } from './testing.js';
import { compileSieve } from './validator.js';

function onlySyntaxErrors(src: string) {
  const start = Date.now();
  try {
    compileSieve(src);
  } catch (e) {
    if (!(e instanceof SieveSyntaxError)) throw e;
    assert.ok(e.line >= 1 && e.column >= 1, e.message);
  }
  assert.ok(Date.now() - start < 1000, 'compile took over a second');
}

const sieveChars = fc.constantFrom(
  ...'ifelsrqu:"\\[](){},;#/*\r\n \ttext:0123456789KMG.$'.split(''),
  'text:\r\n',
  '/*',
  '*/',
);

test('arbitrary text only ever fails with SieveSyntaxError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), onlySyntaxErrors), { numRuns: fuzzRuns() });
  fc.assert(
    fc.property(
      fc.array(sieveChars, { maxLength: 200 }).map((a) => a.join('')),
      onlySyntaxErrors,
    ),
    { numRuns: fuzzRuns() },
  );
});

const str = fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s).replace(/\\u[0-9a-f]{4}/g, ''));
const strList = fc.array(str, { minLength: 1, maxLength: 3 }).map((a) => `[${a.join(', ')}]`);
const strOrList = fc.oneof(
  str,
  strList,
  fc.constantFrom('"subject"', '"from"', '"to"', '"*"', '"${1}"', '"(a+)+$"'),
);
const tag = fc.constantFrom(
  ':is',
  ':contains',
  ':matches',
  ':regex',
  ':value "gt"',
  ':count "ge"',
  ':comparator "i;octet"',
  ':comparator "i;ascii-numeric"',
  ':all',
  ':localpart',
  ':domain',
  ':user',
  ':detail',
  ':over 1K',
  ':under 10',
  ':copy',
  ':flags "\\\\Seen"',
  ':create',
  ':index 1',
  ':last',
  ':zone "+0100"',
  ':originalzone',
  ':days 3',
  ':seconds 60',
  ':subject "s"',
  ':mime',
  ':handle "h"',
  ':lower',
  ':upper',
  ':length',
  ':quotewildcard',
  ':raw',
  ':text',
  ':content "text"',
  ':once',
  ':optional',
  ':global',
  ':frob',
);
const testName = fc.constantFrom(
  'header',
  'address',
  'envelope',
  'exists',
  'size',
  'true',
  'false',
  'body',
  'string',
  'hasflag',
  'date',
  'currentdate',
  'mailboxexists',
  'duplicate',
  'environment',
  'frob',
);
const commandName = fc.constantFrom(
  'keep',
  'discard',
  'stop',
  'fileinto',
  'redirect',
  'reject',
  'ereject',
  'vacation',
  'set',
  'addflag',
  'setflag',
  'removeflag',
  'addheader',
  'deleteheader',
  'return',
  'global',
  'frob',
);
const args = fc
  .tuple(fc.array(tag, { maxLength: 3 }), fc.array(strOrList, { maxLength: 3 }))
  .map(([t, a]) => [...t, ...a].join(' '));

const { testExpr } = fc.letrec((tie) => ({
  testExpr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(testName, args).map(([n, a]) => `${n} ${a}`),
    tie('testExpr').map((t) => `not ${t as string}`),
    fc
      .tuple(fc.constantFrom('allof', 'anyof'), fc.array(tie('testExpr'), { minLength: 1, maxLength: 3 }))
      .map(([n, ts]) => `${n}(${ts.join(', ')})`),
  ),
}));
const { commands } = fc.letrec((tie) => ({
  command: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(commandName, args).map(([n, a]) => `${n} ${a};`),
    fc
      .tuple(testExpr, tie('commands'), fc.option(tie('commands')))
      .map(([t, b, e]) => `if ${t} {\n${b as string}\n}${e === null ? '' : ` else {\n${e as string}\n}`}`),
  ),
  commands: fc.array(tie('command'), { maxLength: 4 }).map((cs) => (cs as string[]).join('\n')),
}));
const requireLine = fc
  .subarray([
    'fileinto',
    'reject',
    'envelope',
    'body',
    'copy',
    'imap4flags',
    'relational',
    'regex',
    'variables',
    'date',
    'index',
    'subaddress',
    'vacation',
    'vacation-seconds',
    'mailbox',
    'editheader',
    'duplicate',
    'environment',
    'include',
    'comparator-i;ascii-numeric',
    'encoded-character',
  ])
  .map((exts) => (exts.length ? `require ${JSON.stringify(exts)};\n` : ''));

test('generated scripts compile or fail with SieveSyntaxError; compiled ones run without throwing', () => {
  fc.assert(
    fc.property(requireLine, commands, (req, body) => {
      const src = req + body;
      onlySyntaxErrors(src);
      let compiled = true;
      try {
        compileSieve(src);
      } catch {
        compiled = false;
      }
      if (!compiled) return;
      const start = Date.now();
      const r = run(src, { run: { loadScript: () => 'keep;' } });
      assert.ok(!r.error || r.error instanceof SieveRuntimeError, String(r.error));
      assert.ok(r.actions.length > 0);
      assert.ok(Date.now() - start < 2000);
    }),
    { numRuns: fuzzRuns() },
  );
});
