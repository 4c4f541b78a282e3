import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRegex, RegexError } from './regex.js';

const m = (re: string, s: string, caseless = false) => compileRegex(re, caseless).exec(s);

test('POSIX ERE basics: search, anchors, classes, alternation, repetition, groups', () => {
  assert.deepEqual(m('b+', 'abbbc'), ['bbb']);
  assert.equal(m('^b', 'abc'), undefined);
  assert.deepEqual(m('c$', 'abc'), ['c']);
  assert.deepEqual(m('$', 'abc'), ['']);
  assert.deepEqual(m('^(a|b)*c', 'abac'), ['abac', 'a']);
  assert.deepEqual(m('[[:digit:]]{2,3}', 'x12345'), ['123']);
  assert.deepEqual(m('[^a-c]+', 'abcdef'), ['def']);
  assert.deepEqual(m('[]x]', 'a]'), [']']);
  assert.deepEqual(m('a.c', 'a\nc'), ['a\nc']);
  assert.deepEqual(m('(foo)?bar', 'bar'), ['bar', '']);
  assert.deepEqual(m('\\w+@(\\w+)\\.com', 'mail joe@example.com now'), ['joe@example.com', 'example']);
  assert.deepEqual(m('HELLO', 'say hello', true), ['hello']);
  assert.deepEqual(m('[A-Z]+', 'abc', true), ['abc']);
  assert.deepEqual(m('a{3}', 'aaaa'), ['aaa']);
  assert.deepEqual(m('\u00e9+', 'caf\u00e9\u00e9'), ['\u00e9\u00e9']);
});

test('unsupported syntax is a RegexError', () => {
  for (const bad of ['(a)\\1', '*a', '[z-a]', '(a', 'a)', '[[:nope:]]', 'a{3,1}', 'x\\b', '[a']) {
    assert.throws(() => compileRegex(bad), RegexError, bad);
  }
  assert.throws(() => compileRegex('(((a{200}){200}){200})'), /too large/);
});

test('catastrophic patterns finish fast (linear-time matching)', () => {
  const input = 'a'.repeat(30_000) + 'b';
  for (const pattern of ['(a+)+$', '(a|a)*$', '(a*)*$', '.*.*.*.*c', '(a|aa)+$', '^(a+)+b$x']) {
    const start = process.hrtime.bigint();
    const got = compileRegex(pattern).exec(input);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.ok(ms < 2000, `${pattern} took ${ms} ms`);
    if (pattern.endsWith('+$')) assert.equal(got, undefined, pattern);
  }
});

test('work is charged to the caller', () => {
  let units = 0;
  compileRegex('(a+)+$').exec('a'.repeat(100) + 'b', (n) => (units += n));
  assert.ok(units > 100);
});
