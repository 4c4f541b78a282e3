import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { loadRuleset } from './cf-parser.js';
import { STOCK_RULES_DIR } from './cli.js';
import { loadCorpus, pick } from './corpus-fixture.js';
import { prepareMessage } from './message.js';
import { AtomMatcher, requiredLiterals } from './prefilter.js';

const sorted = (x: string[] | undefined): string[] | undefined => x && [...x].sort();

test('required literals: one per alternative, expanded through small groups', () => {
  assert.deepEqual(requiredLiterals('\\bfree\\s+money'), ['money']);
  assert.deepEqual(sorted(requiredLiterals('foo|barbaz')), ['barbaz', 'foo']);
  assert.deepEqual(sorted(requiredLiterals('x(?:y|z)hello')), ['xyhello', 'xzhello']);
  assert.deepEqual(sorted(requiredLiterals('colou?r')), ['color', 'colour']);
  assert.deepEqual(requiredLiterals('[Vv]iagra'), ['viagra']);
  assert.deepEqual(requiredLiterals('(?:cheap|free)\\s+pills'), ['pills']);
  assert.deepEqual(sorted(requiredLiterals('(?:cheap|free)\\s+(?:a|b)')), ['cheap', 'free']);
  // ab+c needs "ab" and "bc", never "abc"
  assert.deepEqual(requiredLiterals('xab+cde'), ['bcde']);
  assert.deepEqual(requiredLiterals('r\\xe9sum\\xe9'), ['r\xe9sum\xe9']);
  assert.deepEqual(requiredLiterals('\\bwin(?=ner)'), ['win']);
});

test('required literals: nothing when a branch or the whole can do without', () => {
  for (const src of [
    'foo|ba',
    '(?:foo)?bar?',
    'fo.o',
    'a\\w+b',
    'abc|\\d+',
    '(?:abc)*',
    '[^abc]{5}',
    '\\1abc?',
  ])
    assert.equal(requiredLiterals(src), undefined, src);
  // a character above U+00FF folds onto octets in ways lowercasing does not mirror
  assert.equal(requiredLiterals('\\u039cab'), undefined);
});

// Random regexes over a small alphabet, each with a string it should match (a "witness"), so that
// the property sees many matches; lookarounds and anchors can still make a witness fail, which is
// fine: only real matches are checked.
type Pair = [source: string, witness: string];
const QUANTIFIERS: [string, number, number][] = [
  ['', 1, 1],
  ['', 1, 1],
  ['', 1, 1],
  ['?', 0, 1],
  ['*', 0, Infinity],
  ['+', 1, Infinity],
  ['+?', 1, Infinity],
  ['{2}', 2, 2],
  ['{1,3}', 1, 3],
  ['{0,2}', 0, 2],
];
const pairs: fc.Arbitrary<Pair> = fc.letrec<{ atom: Pair; quantified: Pair; seq: Pair }>((tie) => ({
  atom: fc.oneof(
    { maxDepth: 2, withCrossShrink: true },
    {
      weight: 8,
      arbitrary: fc.constantFrom<Pair>(
        ['a', 'a'],
        ['b', 'b'],
        ['c', 'c'],
        ['ab', 'ab'],
        ['bc', 'bc'],
        ['abc', 'abc'],
        ['cab', 'cab'],
        ['bca', 'bca'],
        ['bca', 'bca'],
        ['A', 'A'],
        [' ', ' '],
        ['.', 'x'],
        ['[ab]', 'b'],
        ['[^a]', 'c'],
        ['[Cc]', 'c'],
        ['\\s', ' '],
        ['\\w', 'a'],
        ['\\x61', 'a'],
        ['\\b', ''],
        ['^', ''],
        ['$', ''],
      ),
    },
    { weight: 2, arbitrary: tie('seq').map(([s, w]): Pair => [`(?:${s})`, w]) },
    fc
      .tuple(tie('seq'), tie('seq'), fc.boolean())
      .map(([x, y, first]): Pair => [`(?:${x[0]}|${y[0]})`, first ? x[1] : y[1]]),
    { weight: 1, arbitrary: tie('seq').map(([s]): Pair => [`(?=${s})`, '']) },
    { weight: 1, arbitrary: tie('seq').map(([s]): Pair => [`(?!${s})`, '']) },
  ),
  quantified: fc
    .tuple(tie('atom'), fc.constantFrom(...QUANTIFIERS), fc.nat(3))
    .map(([[s, w], [q, min, max], k]): Pair => {
      // anchors and lookarounds are not quantified; groups only boundedly, as nested unbounded
      // quantifiers backtrack for ever on a failing subject
      if (/^(?:[\^$]|\\b|\(\?[=!])/.test(s) || (s.startsWith('(') && max === Infinity)) return [s, w];
      return [s + q, w.repeat(min + (k % (Math.min(max, 3) - min + 1)))];
    }),
  seq: fc
    .array(tie('quantified'), { minLength: 1, maxLength: 4 })
    .map((xs): Pair => [xs.map((x) => x[0]).join(''), xs.map((x) => x[1]).join('')]),
})).seq;

test('required literals are in every string the regex matches (fast-check)', () => {
  let checked = 0;
  const noise = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', ' ', 'x'), maxLength: 4 });
  fc.assert(
    fc.property(
      pairs,
      fc.boolean(),
      fc.boolean(),
      noise,
      noise,
      ([src, witness], ci, upper, before, after) => {
        const need = requiredLiterals(src);
        // a case-insensitive regex is also tried on its witness in capitals
        const text = before + (ci && upper ? witness.toUpperCase() : witness) + after;
        if (!need || !new RegExp(src, ci ? 'i' : '').test(text)) return;
        checked++;
        assert.ok(
          need.some((l) => text.toLowerCase().includes(l)),
          `/${src}/ matched ${JSON.stringify(text)} without any of ${JSON.stringify(need)}`,
        );
      },
    ),
    { numRuns: fuzzRuns(1500) },
  );
  // the property must have been exercised, not skipped for want of literals or matches
  assert.ok(checked > 50, `only ${checked} matches checked`);
});

test('stock rules: no body or rawbody rule matches a corpus text lacking all its literals', () => {
  const rules = [...loadRuleset([STOCK_RULES_DIR]).rules.values()].filter(
    (r) => r.re && (r.type === 'body' || r.type === 'rawbody'),
  );
  const msgs = pick(loadCorpus().test, 40).map((m) => prepareMessage(m.raw));
  let filtered = 0;
  let matches = 0;
  for (const r of rules) {
    const need = requiredLiterals(r.re!.source);
    if (!need) continue;
    const matcher = new AtomMatcher(need);
    for (const p of msgs)
      for (const line of r.type === 'body' ? p.body : p.rawbody) {
        const present = matcher.scan(line).size > 0;
        if (!present) filtered++;
        if (r.re!.test(line)) {
          matches++;
          assert.ok(
            present,
            `${r.name} matched ${JSON.stringify(line.slice(0, 200))} without ${need.join(' | ')}`,
          );
        }
      }
  }
  assert.ok(filtered > 10_000 && matches > 100, `filtered ${filtered}, matches ${matches}`);
});

test('the automaton finds overlapping and nested literals', () => {
  const m = new AtomMatcher(['abc', 'bcd', 'xbcdy', 'cd']);
  assert.deepEqual([...m.scan('zABCDx')].sort(), [0, 1, 3]);
  assert.deepEqual([...m.scan('xbcdy')].sort(), [1, 2, 3]);
});
