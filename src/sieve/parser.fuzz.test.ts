import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../test/support/fuzz.js';
import { SieveRuntimeError, SieveSyntaxError } from './errors.js';
import { EXTENSIONS } from './signatures.js';
import { DEFAULT_HEADERS, run, type RunSpec } from './testing.js';
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
  fc.constantFrom(
    '"subject"',
    '"from"',
    '"to"',
    '"*"',
    '"${1}"',
    '"(a+)+$"',
    '"mailto:a@b.example?subject=x&cc=c@d.example"',
    '"mailto:%zz"',
    '"xmpp:a@b.example"',
  ),
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
  ':anychild',
  ':type',
  ':subtype',
  ':contenttype',
  ':param "filename"',
  ':percent',
  ':importance "1"',
  ':importance "7"',
  ':message "m"',
  ':from "a@b.example"',
  ':options "o"',
  ':encodeurl',
  ':first 3',
  ':name "loop"',
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
  'spamtest',
  'virustest',
  'valid_notify_method',
  'notify_method_capability',
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
  'notify',
  'break',
  'extracttext',
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
    fc.tuple(args, tie('commands')).map(([a, b]) => `foreverypart ${a} {\n${b as string}\n}`),
  ),
  commands: fc.array(tie('command'), { maxLength: 4 }).map((cs) => (cs as string[]).join('\n')),
}));
const requireLine = fc
  .subarray([...EXTENSIONS])
  .map((exts) => (exts.length ? `require ${JSON.stringify(exts)};\n` : ''));

/** A nested multipart message, so foreverypart, :mime and extracttext have parts to walk. */
const MULTIPART: RunSpec = {
  headers: [
    ...DEFAULT_HEADERS,
    'Content-Type: multipart/mixed; boundary=A',
    'X-Spam-Status: Yes, score=9.1 required=5.0',
  ],
  body: '--A\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--\r\n--A\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--A--\r\n',
};

test('generated scripts compile or fail with SieveSyntaxError; compiled ones run without throwing', () => {
  fc.assert(
    fc.property(requireLine, commands, fc.boolean(), (req, body, multipart) => {
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
      const r = run(src, { ...(multipart ? MULTIPART : {}), run: { loadScript: () => 'keep;' } });
      assert.ok(!r.error || r.error instanceof SieveRuntimeError, String(r.error));
      assert.ok(r.actions.length > 0);
      assert.ok(Date.now() - start < 2000);
    }),
    { numRuns: fuzzRuns() },
  );
});
