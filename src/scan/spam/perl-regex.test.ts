import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perlRegex, splitPerlRegex } from './perl-regex.js';

const re = (s: string): RegExp => {
  const r = perlRegex(s);
  assert.ok(r.re, r.error);
  return r.re;
};

test('delimiters and flags', () => {
  assert.deepEqual(splitPerlRegex('m{a/b}i'), { source: 'a/b', flags: 'i' });
  assert.deepEqual(splitPerlRegex('m!a\\!b!'), { source: 'a!b', flags: '' });
  assert.deepEqual(splitPerlRegex('/a\\/b/s'), { source: 'a/b', flags: 's' });
  assert.equal(splitPerlRegex('nope'), null);
});

test('anchors: $ before final newline, \\z, \\Z, \\A', () => {
  assert.ok(re('/foo$/').test('foo\n'));
  assert.ok(!re('/foo\\z/').test('foo\n'));
  assert.ok(re('/foo\\Z/').test('foo\n'));
  assert.ok(re('/\\Afoo/').test('foo bar'));
  assert.ok(!re('/\\Abar/').test('foo bar'));
});

test('inline modifiers, possessive, atomic, POSIX classes, \\Q..\\E, /x', () => {
  assert.ok(re('/(?i)hello/').test('HELLO'));
  assert.ok(re('/a(?i:bc)d/').test('aBCd'));
  assert.ok(!re('/a(?i:bc)d/').test('aBCD'));
  assert.ok(re('/a++b/').test('aab'));
  assert.ok(re('/(?>ab)c/').test('abc'));
  assert.ok(re('/[[:digit:]]+x/').test('12x'));
  assert.ok(re('/\\Qa.b\\E/').test('a.b') && !re('/\\Qa.b\\E/').test('axb'));
  assert.ok(re('/a b # comment\n c/x').test('abc'));
  assert.ok(re('/[^]]x/').test('ax'));
});

test('unsupported constructs are reported, not thrown', () => {
  assert.equal(perlRegex('/(?R)/').re, null);
  assert.equal(perlRegex('/\\p{L}/').re, null);
  assert.ok(perlRegex('/a++/').warnings.length > 0);
});
