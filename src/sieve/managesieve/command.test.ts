import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, decodeSaslPlain, formatResponse, formatString, parseCommand } from './command.js';

const parse = (s: string, nameless = false) => parseCommand(Buffer.from(s), DEFAULT_LIMITS, nameless);

test('commands with quoted strings, literals and numbers (RFC 5804 examples)', () => {
  assert.deepEqual(parse('CAPABILITY\r\n'), { kind: 'command', name: 'CAPABILITY', args: [], consumed: 12 });
  assert.deepEqual(parse('havespace "myscript" 999999\r\n'), {
    kind: 'command',
    name: 'HAVESPACE',
    args: ['myscript', 999999],
    consumed: 29,
  });
  const put = 'Putscript "foo" {31+}\r\n#comment\r\nInvalidSieveCommand\r\n\r\n';
  assert.deepEqual(parse(put), {
    kind: 'command',
    name: 'PUTSCRIPT',
    args: ['foo', '#comment\r\nInvalidSieveCommand\r\n'],
    consumed: put.length,
  });
  assert.deepEqual(parse('PUTSCRIPT "a" {2}\r\nhi\r\n'), {
    kind: 'command',
    name: 'PUTSCRIPT',
    args: ['a', 'hi'],
    consumed: 23,
  });
  assert.deepEqual(parse('SETACTIVE "a \\"b\\" \\\\"\r\n'), {
    kind: 'command',
    name: 'SETACTIVE',
    args: ['a "b" \\'],
    consumed: 24,
  });
  assert.deepEqual(parse('NOOP\n'), { kind: 'command', name: 'NOOP', args: [], consumed: 5 });
});

test('incomplete input waits; a literal says how much it still needs', () => {
  assert.deepEqual(parse('CAPAB'), { kind: 'incomplete' });
  assert.deepEqual(parse('GETSCRIPT "a'), { kind: 'incomplete' });
  assert.deepEqual(parse('PUTSCRIPT "a" {10+}\r\nabc'), { kind: 'incomplete', need: 7 });
  assert.deepEqual(parse('NOOP\r'), { kind: 'incomplete' });
});

test('bad input is an error that consumes the line, or skips an oversized literal', () => {
  assert.deepEqual(parse('GETSCRIPT foo\r\nNOOP\r\n'), {
    kind: 'error',
    message: 'expected a string or a number',
    consumed: 15,
    skip: 0,
  });
  assert.equal(parse('\r\n').kind, 'error');
  assert.equal(parse('GETSCRIPT "a\\n"\r\n').kind, 'error');
  assert.equal(parse('GETSCRIPT "a""b"\r\n').kind, 'error');
  assert.deepEqual(parse('PUTSCRIPT "a" {99999999+}\r\nxx'), {
    kind: 'error',
    message: 'literal of 99999999 octets is larger than 1048576',
    consumed: 27,
    skip: 99999999,
  });
  assert.equal(parse(`NOOP "${'x'.repeat(10_000)}`).kind, 'error');
});

test('SASL responses: one string, or "*" to cancel', () => {
  assert.deepEqual(parse('"AGEAYg=="\r\n', true), {
    kind: 'command',
    name: '',
    args: ['AGEAYg=='],
    consumed: 12,
  });
  assert.deepEqual(parse('*\r\n', true), { kind: 'command', name: '*', args: [], consumed: 3 });
  assert.equal(parse('"a" "b"\r\n', true).kind, 'error');
});

test('responses quote what they can and use literals for line breaks', () => {
  assert.equal(formatString('a "b"'), '"a \\"b\\""');
  assert.equal(formatString('a\r\nb'), '{4}\r\na\r\nb');
  assert.equal(formatResponse('NO', 'gone', 'NONEXISTENT'), 'NO (NONEXISTENT) "gone"\r\n');
  assert.deepEqual(decodeSaslPlain('\0u\0p'), { user: 'u', pass: 'p' });
  assert.equal(decodeSaslPlain('other\0u\0p'), null);
});
