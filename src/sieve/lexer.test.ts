import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SieveSyntaxError } from './errors.js';
import { tokenize } from './lexer.js';

const kinds = (src: string) => tokenize(src).map((t) => `${t.type}:${t.value ?? t.text}`);

test('identifiers and tags are case-insensitive, numbers take K/M/G', () => {
  assert.deepEqual(kinds('IF Size :OVER 1K 2m 3G 10;'), [
    'identifier:if',
    'identifier:size',
    'tag:over',
    'number:1024',
    `number:${2 * 1024 ** 2}`,
    `number:${3 * 1024 ** 3}`,
    'number:10',
    ';:;',
    'eof:',
  ]);
});

test('quoted strings keep escaped quotes and backslashes; other escapes drop the backslash', () => {
  const [t] = tokenize('"a\\"b\\\\c\\d"');
  assert.equal(t!.text, 'a"b\\cd');
});

test('quoted strings may span lines', () => {
  const [t] = tokenize('"line1\r\nline2"');
  assert.equal(t!.text, 'line1\r\nline2');
});

test('multi-line text: unstuffs leading dots and ends each line with CRLF (RFC 5228 §2.4.2)', () => {
  const src = 'text: # comment\r\n..dotted\r\nplain\r\n.\r\n;';
  const toks = tokenize(src);
  assert.equal(toks[0]!.text, '.dotted\r\nplain\r\n');
  assert.equal(toks[1]!.type, ';');
});

test('comments are skipped, positions are 1-based line and column', () => {
  const toks = tokenize('# c\n/* multi\nline */ keep;');
  assert.deepEqual([toks[0]!.line, toks[0]!.column], [3, 9]);
});

for (const [src, msg] of [
  ['"open', /unterminated quoted string/],
  ['text:\r\nno end', /unterminated multi-line/],
  ['/* never closed', /unterminated/],
  ['keep @', /unexpected character/],
  ['size :over 99999999999999999G;', /too large/],
  ['text: x\r\n.\r\n', /end of the line/],
] as const) {
  test(`lexer error: ${JSON.stringify(src)}`, () => {
    assert.throws(
      () => tokenize(src),
      (e: unknown) => e instanceof SieveSyntaxError && msg.test(e.message),
    );
  });
}

test('script and string size limits', () => {
  assert.throws(() => tokenize('x'.repeat(20), { maxScriptSize: 10, maxStringLength: 5 }), /larger than 10/);
  assert.throws(() => tokenize('"123456"', { maxScriptSize: 100, maxStringLength: 5 }), /longer than 5/);
});
