import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SieveSyntaxError } from './errors.js';
import { compileSieve } from './validator.js';

function rejects(src: string, msg: RegExp) {
  assert.throws(
    () => compileSieve(src),
    (e: unknown) => e instanceof SieveSyntaxError && msg.test(e.message),
    `expected ${msg} for ${src}`,
  );
}

test('an extension must be required before use (RFC 5228 §3.2)', () => {
  rejects('fileinto "x";', /requires the "fileinto" extension/);
  rejects('if header :regex "a" "b" {}', /:regex requires the "regex"/);
  rejects('require "fileinto"; fileinto :copy "x";', /:copy requires the "copy"/);
  rejects('if header :value "gt" "a" "b" {}', /:value requires the "relational"/);
  rejects(
    'require "relational"; if header :comparator "i;ascii-numeric" :value "gt" "a" "1" {}',
    /comparator-i;ascii-numeric/,
  );
  compileSieve(
    'require ["relational","comparator-i;ascii-numeric"]; if header :comparator "i;ascii-numeric" :value "gt" "a" "1" {}',
  );
});

test('unknown extensions, commands, tests and tags are errors', () => {
  rejects('require "frobnicate";', /unknown extension "frobnicate"/);
  rejects('frob;', /unknown command "frob"/);
  rejects('if frob {}', /unknown test "frob"/);
  rejects('if header :frob "a" "b" {}', /unknown tag :frob/);
  rejects('if keep {}', /unknown test "keep"/);
});

test('require only at the start; elsif/else only after if', () => {
  rejects('keep; require "fileinto";', /require must come before/);
  rejects('if true { require "fileinto"; }', /only allowed at the top level/);
  rejects('else { keep; }', /without a preceding "if"/);
  rejects('keep; elsif true { keep; }', /without a preceding "if"/);
});

test('argument shapes are checked', () => {
  rejects('require "fileinto"; fileinto ["a","b"];', /must be a string/);
  rejects('if header "a" {}', /takes 2 positional arguments, got 1/);
  rejects('if size 10 {}', /takes 0 positional/);
  rejects('if header :is :contains "a" "b" {}', /:is and :contains cannot be used together/);
  rejects('if address :all :domain "from" "b" {}', /cannot be used together/);
  rejects('if header :comparator "i;frob" "a" "b" {}', /unknown comparator/);
  rejects('require "relational"; if header :value "gte" "a" "b" {}', /unknown relation/);
  rejects('if header "a" :is "b" {}', /must come before the positional/);
  rejects('if header :comparator {}', /needs a string argument/);
  rejects('if not (true, false) {}', /exactly one test/);
  rejects('if allof true {}', /test list/);
  rejects('keep { }', /cannot have a block/);
  rejects('if true;', /needs a block/);
  rejects(
    'require ["relational","comparator-i;ascii-numeric"]; if header :comparator "i;ascii-numeric" :contains "a" "1" {}',
    /does not support :contains/,
  );
  rejects('require "envelope"; if envelope "cc" "x" {}', /unknown envelope part/);
  rejects('require "date"; if currentdate "fortnight" "x" {}', /unknown date part/);
  rejects('require "date"; if currentdate :zone "0100" "date" "x" {}', /bad time zone/);
  rejects('require "variables"; set "1x" "v";', /bad variable name/);
  rejects('require ["index"]; if header :last "a" "b" {}', /:last needs :index/);
});

test('unsafe or unsupported regular expressions are rejected at compile time', () => {
  rejects('require "regex"; if header :regex "s" "(a)\\\\1" {}', /back-references/);
  rejects('require "regex"; if header :regex "s" "a{1,999}" {}', /repetition/);
  rejects('require "regex"; if header :regex "s" "(ab" {}', /missing "\)"/);
  compileSieve('require "regex"; if header :regex "s" "(a+)+$" {}');
});

test('encoded-character decodes ${hex:} and ${unicode:} only when required (RFC 5228 §2.4.2.4)', () => {
  const on = compileSieve(
    'require ["encoded-character","fileinto"]; fileinto "${hex:40 41}${unicode:263a}";',
  );
  assert.equal(on.commands[0]!.args[0], '@A\u263a');
  const off = compileSieve('require "fileinto"; fileinto "${hex:40}";');
  assert.equal(off.commands[0]!.args[0], '${hex:40}');
  rejects('require "encoded-character"; if header "a" "${unicode:D800}" {}', /invalid Unicode/);
});

test('RFC 5228 §9 example script compiles', () => {
  compileSieve(`
     require ["fileinto", "reject"];
     if size :over 100k { # this is a comment
        discard;
     } elsif address :DOMAIN :is ["From", "To"] "example.com" {
        keep;
     } elsif anyof (NOT address :all :contains ["To", "Cc", "Bcc"] "me@example.com",
                    header :matches "subject" ["*make*money*fast*", "*university*dipl*mas*"]) {
        fileinto "spam";
     } else {
        fileinto "personal";
     }`);
});

test('syntax errors in a named script carry the name', () => {
  assert.throws(
    () => compileSieve('keep', { name: 'rules' }),
    (e: unknown) => e instanceof SieveSyntaxError && e.script === 'rules' && /^rules: line 1/.test(e.message),
  );
});
