import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { parseCf } from './cf-parser.js';
import { SpamEngine } from './engine.js';

const word = fc.constantFrom(
  'body',
  'header',
  'rawbody',
  'full',
  'uri',
  'meta',
  'score',
  'tflags',
  'describe',
  'if',
  'ifplugin',
  'endif',
  'else',
  'include',
  'priority',
  'required_score',
  'add_header',
  'report_safe',
  'replace_tag',
  'replace_rules',
  'mimeheader',
  'lang',
);
const token = fc.oneof(
  fc.constantFrom(
    'A',
    '__B',
    'T_C',
    '/a(b/',
    '/x+y/i',
    'm{a}',
    'From:addr',
    '=~',
    '!~',
    'exists:To',
    '[if-unset: x]',
    '&&',
    '||',
    '(',
    ')',
    'eval:check_for_missing_to_header()',
    'eval:nope(1',
    '1',
    '-2.5',
    'version',
    '>=',
    'plugin(X)',
    'can(Y)',
    '<A>',
    'multiple',
    'maxhits=2',
  ),
  fc.string({ maxLength: 12 }),
);
const line = fc.tuple(word, fc.array(token, { maxLength: 6 })).map(([w, ts]) => [w, ...ts].join(' '));

test('the .cf parser never throws and a parsed ruleset always compiles and scans', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const rs = parseCf([{ file: 'f.cf', text: lines.join('\n') }], { readFile: () => 'body INC /inc/' });
      for (const l of rs.lint) assert.ok(l.file !== undefined && Number.isInteger(l.line));
      new SpamEngine(rs).scan(Buffer.from('Subject: a\n\nbody text'));
    }),
    { numRuns: fuzzRuns() },
  );
});
