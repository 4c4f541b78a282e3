import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SieveSyntaxError } from './errors.js';
import { parseScript } from './parser.js';

test('parses commands, arguments, test lists and blocks (RFC 5228 §8.2)', () => {
  const ast = parseScript(
    `if anyof (not exists ["From","Date"], header :contains "subject" "x") { discard; } else { keep; }`,
  );
  assert.equal(ast.length, 2);
  const [ifc, elsec] = ast;
  assert.equal(ifc!.name, 'if');
  assert.equal(ifc!.tests[0]!.name, 'anyof');
  assert.equal(ifc!.tests[0]!.testList, true);
  const [notTest, header] = ifc!.tests[0]!.tests;
  assert.equal(notTest!.tests[0]!.name, 'exists');
  assert.deepEqual(notTest!.tests[0]!.args[0], {
    kind: 'stringlist',
    values: ['From', 'Date'],
    line: 1,
    column: 22,
  });
  assert.deepEqual(
    header!.args.map((a) => a.kind),
    ['tag', 'string', 'string'],
  );
  assert.equal(ifc!.block![0]!.name, 'discard');
  assert.equal(elsec!.name, 'else');
});

function syntaxError(src: string, line: number, column: number, msg: RegExp) {
  assert.throws(
    () => parseScript(src),
    (e: unknown) =>
      e instanceof SieveSyntaxError && e.line === line && e.column === column && msg.test(e.message),
  );
}

test('errors carry line and column', () => {
  syntaxError('keep', 1, 5, /expected ";" or "{"/);
  syntaxError('if true {\n  keep;\n', 3, 1, /"}"/);
  syntaxError('fileinto ["a",];', 1, 15, /string/);
  syntaxError('if allof() { }', 1, 10, /expected a test/);
  syntaxError('}', 1, 1, /unexpected/);
});

test('deep nesting is an error, not a stack overflow', () => {
  const deepBlocks = 'if true {'.repeat(10_000) + '}'.repeat(10_000);
  assert.throws(() => parseScript(deepBlocks, { maxScriptSize: 10 << 20 }), /nesting deeper than 64/);
  const deepNot = `if ${'not '.repeat(10_000)} true {}`;
  assert.throws(() => parseScript(deepNot, { maxScriptSize: 10 << 20 }), /nesting deeper than 64/);
  const deepLists = `if ${'allof('.repeat(5_000)}true${')'.repeat(5_000)} {}`;
  assert.throws(() => parseScript(deepLists, { maxScriptSize: 10 << 20 }), /nesting deeper than 64/);
});

test('nesting within the limit parses', () => {
  const src = 'if true {'.repeat(60) + 'keep;' + '}'.repeat(60);
  assert.equal(parseScript(src).length, 1);
});
