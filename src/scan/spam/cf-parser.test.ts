import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCf, parseEval } from './cf-parser.js';

const parse = (text: string, readFile?: (p: string) => string) =>
  parseCf([{ file: 'a.cf', text }], { readFile });

test('header rule with modifiers, negation and if-unset', () => {
  const rs = parse(
    'header A From:addr !~ /x\\@y/i [if-unset: none]\nheader B exists:X-Foo\nheader C ALL:raw =~ /z/',
  );
  const a = rs.rules.get('A')!;
  assert.deepEqual(a.header, { name: 'From', mods: ['addr'], ifUnset: 'none' });
  assert.equal(a.negate, true);
  assert.ok(a.re!.test('X@Y'));
  assert.equal(rs.rules.get('B')!.header!.exists, true);
  assert.deepEqual(rs.rules.get('C')!.header!.mods, ['raw']);
});

test('default scores: unscored 1.0, T_ 0.01, __ 0, nice negative, score 0 disables, 4 values', () => {
  const rs = parse(
    'body A /a/\nbody T_B /b/\nbody __C /c/\nbody D /d/\ntflags D nice\nbody E /e/\nscore E 0\nbody F /f/\nscore F 1 2 3 4',
  );
  assert.deepEqual(rs.rules.get('A')!.scores, [1, 1, 1, 1]);
  assert.deepEqual(rs.rules.get('T_B')!.scores, [0.01, 0.01, 0.01, 0.01]);
  assert.deepEqual(rs.rules.get('__C')!.scores, [0, 0, 0, 0]);
  assert.deepEqual(rs.rules.get('D')!.scores, [-1, -1, -1, -1]);
  assert.deepEqual(rs.rules.get('E')!.scores, [0, 0, 0, 0]);
  assert.deepEqual(rs.rules.get('F')!.scores, [1, 2, 3, 4]);
});

test('tflags, describe, priority and meta', () => {
  const rs = parse(
    'body A /a/\ntflags A multiple maxhits=3 noautolearn\ndescribe A all about a\npriority A -100\nmeta M (A + B) > 1 && !C',
  );
  const a = rs.rules.get('A')!;
  assert.ok(a.tflags.has('multiple') && a.tflags.has('noautolearn'));
  assert.equal(a.maxhits, 3);
  assert.equal(a.description, 'all about a');
  assert.equal(a.priority, -100);
  assert.equal(rs.rules.get('M')!.meta!.k, 'bin');
});

test('conditionals: ifplugin, if version, if can, else, nesting', () => {
  const rs = parse(
    [
      'ifplugin Mail::SpamAssassin::Plugin::Nope',
      'body X1 /x/',
      'endif',
      'ifplugin Mail::SpamAssassin::Plugin::HeaderEval',
      'body X2 /x/',
      'endif',
      'if (version >= 3.004000)',
      'body X3 /x/',
      'else',
      'body X4 /x/',
      'endif',
      'if !can(Mail::SpamAssassin::Conf::no_such_feature)',
      'if plugin(Mail::SpamAssassin::Plugin::Bayes)',
      'body X5 /x/',
      'endif',
      'endif',
    ].join('\n'),
  );
  assert.deepEqual([...rs.rules.keys()].sort(), ['X2', 'X3', 'X5']);
});

test('settings directives', () => {
  const rs = parse(
    [
      'required_score 6.5',
      'rewrite_header Subject ***SPAM***',
      'report_safe 2',
      'add_header all Foo bar _SCORE_',
      'whitelist_from *@good.example',
      'blocklist_from bad@x.example',
      'trusted_networks 10.0.0.0/8',
      'ok_languages en',
      'ok_locales en ja',
      'use_bayes 0',
      'bayes_auto_learn 0',
      'bayes_auto_learn_threshold_spam 10',
      'bayes_auto_learn_threshold_nonspam -1',
    ].join('\n'),
  );
  const s = rs.settings;
  assert.equal(s.requiredScore, 6.5);
  assert.equal(s.rewriteHeader.get('subject'), '***SPAM***');
  assert.equal(s.reportSafe, 2);
  assert.deepEqual(s.addHeaders, [{ when: 'all', name: 'Foo', value: 'bar _SCORE_' }]);
  assert.deepEqual(s.lists.get('welcomelist_from'), ['*@good.example']);
  assert.deepEqual(s.lists.get('blocklist_from'), ['bad@x.example']);
  assert.deepEqual(s.trustedNetworks, ['10.0.0.0/8']);
  assert.deepEqual(s.okLocales, ['en', 'ja']);
  assert.equal(s.useBayes, false);
  assert.equal(s.bayesAutoLearn, false);
  assert.equal(s.bayesAutoLearnThresholdSpam, 10);
  assert.equal(s.bayesAutoLearnThresholdNonspam, -1);
});

test('include reads relative to the including file', () => {
  const rs = parse('include sub.cf\nscore R 2', (p) => {
    assert.ok(p.endsWith('/sub.cf'));
    return 'body R /r/';
  });
  assert.deepEqual(rs.rules.get('R')!.scores, [2, 2, 2, 2]);
});

test('errors and warnings carry file and line; unknown directives are not fatal', () => {
  const rs = parse('frobnicate 1\nbody OK /ok/\nbody BAD /(?R)/\nscore OK x\nif (version >= 3\nendif\nendif');
  const msgs = rs.lint.map((l) => `${l.line}:${l.severity}:${l.message}`);
  assert.ok(
    msgs.some((m) => m.startsWith("1:warning:unknown directive 'frobnicate'")),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => m.startsWith('3:error:BAD: regex not supported')),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => m.startsWith('4:error:score OK')),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => m.startsWith('5:error:bad condition')),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => m.startsWith('7:error:endif without if')),
    msgs.join('\n'),
  );
  assert.ok(rs.rules.has('OK'));
  assert.ok(rs.lint.every((l) => l.file === 'a.cf' || l.file === ''));
});

test('replace tags expand in listed rules, recursively', () => {
  const rs = parse('replace_tag A (?:a|4)\nreplace_tag AB <A>b\nbody R /<AB>c/\nreplace_rules R');
  assert.ok(rs.rules.get('R')!.re!.test('4bc'));
});

test('eval arguments: quoted, bare, numbers', () => {
  assert.deepEqual(parseEval('check_header_count_range(\'Subject\', "2", 999)'), {
    fn: 'check_header_count_range',
    args: ['Subject', '2', '999'],
  });
  assert.deepEqual(parseEval('check_for_missing_to_header()'), {
    fn: 'check_for_missing_to_header',
    args: [],
  });
});
