import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRules, parseRules, RulesFormatError, type Rule, type Vacation } from './rules.js';
import { actionsOf } from './testing.js';

const rules: Rule[] = [
  {
    id: 'r1',
    name: 'Lists "A" \\ B',
    enabled: true,
    match: 'any',
    conditions: [
      { field: 'from', op: 'contains', value: 'list' },
      { field: 'header', header: 'X-Mailing-List', op: 'exists', value: '' },
    ],
    actions: [
      { type: 'flag', flags: ['\\Seen'] },
      { type: 'fileinto', folder: 'Lists', copy: true },
    ],
    stop: true,
  },
  {
    id: 'r2',
    name: 'Big',
    enabled: false,
    match: 'all',
    conditions: [{ field: 'size', op: 'over', value: '10M' }],
    actions: [{ type: 'reject', message: 'Too big\nsorry ${x}' }],
    stop: false,
  },
  {
    id: 'r3',
    name: 'Boss',
    enabled: true,
    match: 'all',
    conditions: [
      { field: 'subject', op: 'not-contains', value: 'newsletter' },
      { field: 'to', op: 'regex', value: '^boss@' },
    ],
    actions: [{ type: 'redirect', address: 'me@example.net' }, { type: 'keep' }],
    stop: false,
  },
];
const vacation: Vacation = {
  enabled: true,
  from: '2024-03-01',
  until: '2024-03-31',
  subject: 'Away',
  text: 'Back soon.',
  addresses: ['user@example.org'],
  days: 7,
};

test('compiled rules are a runnable Sieve script', () => {
  const script = compileRules(rules, vacation);
  assert.match(script, /^# Mailstead mail filter rules/);
  assert.match(
    script,
    /require \["copy", "date", "encoded-character", "fileinto", "imap4flags", "regex", "reject", "relational", "vacation"\];/,
  );
  assert.match(
    script,
    /\n#if allof \(size :over 10M\) \{\n# {2}reject "Too big\$\{hex:0a\}sorry \$\{hex:24\}\{x\}";\n#\}\n/,
  );
  assert.deepEqual(
    actionsOf(script, { headers: ['From: list@example.com', 'To: user@example.org', 'Subject: x'] }),
    ['vacation:joe@example.com', 'fileinto:Lists[\\Seen]:copy', 'keep[\\Seen]'],
  );
  assert.deepEqual(
    actionsOf(script, {
      headers: ['From: a@example.com', 'To: boss@example.org', 'Subject: x'],
      context: { now: new Date('2024-05-01T00:00:00Z') },
    }),
    ['redirect:me@example.net', 'keep'],
  );
});

test('parseRules reads back what compileRules wrote', () => {
  assert.deepEqual(parseRules(compileRules(rules, vacation)), { rules, vacation });
  assert.deepEqual(parseRules(compileRules([])), { rules: [] });
  const noDates: Vacation = { enabled: false, subject: '', text: 'x', addresses: [], days: 1 };
  assert.deepEqual(parseRules(compileRules([], noDates)), { rules: [], vacation: noDates });
});

test('hand-written or hand-edited scripts are refused with a clear error', () => {
  assert.throws(
    () => parseRules('require "fileinto";\nfileinto "x";\n'),
    (e: unknown) => e instanceof RulesFormatError && /written by hand/.test(e.message),
  );
  const edited = compileRules(rules).replace('fileinto :copy "Lists";', 'fileinto :copy "Lists"; discard;');
  assert.throws(
    () => parseRules(edited),
    (e: unknown) => e instanceof RulesFormatError && /changed by hand/.test(e.message),
  );
  assert.throws(() => parseRules(compileRules(rules).replace('"r1"', '"r1"x')), RulesFormatError);
});

test('invalid rules are refused when compiling', () => {
  const base = rules[0]!;
  assert.throws(
    () => compileRules([{ ...base, conditions: [{ field: 'size', op: 'contains', value: '1' }] }]),
    RangeError,
  );
  assert.throws(
    () => compileRules([{ ...base, conditions: [{ field: 'subject', op: 'over', value: '1' }] }]),
    RangeError,
  );
  assert.throws(
    () => compileRules([{ ...base, conditions: [{ field: 'header', op: 'is', value: '1' }] }]),
    RangeError,
  );
  assert.throws(() => compileRules([{ ...base, actions: [{ type: 'flag', flags: ['a b'] }] }]), RangeError);
  assert.throws(() => compileRules([], { ...vacation, days: 0 }), RangeError);
});
