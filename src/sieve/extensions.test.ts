// RFC 5435/5436 notify, RFC 5703 mime/foreverypart/extracttext and RFC 5235 spamtest/virustest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotifyAction } from './actions.js';
import { SieveSyntaxError } from './errors.js';
import { parseMailto } from './notify-method.js';
import { actionsOf, DEFAULT_HEADERS, run, type RunSpec } from './testing.js';
import { compileSieve } from './validator.js';

function rejects(src: string, msg: RegExp) {
  assert.throws(
    () => compileSieve(src),
    (e: unknown) => e instanceof SieveSyntaxError && msg.test(e.message),
    `expected ${msg} for ${src}`,
  );
}

const MULTIPART: RunSpec = {
  headers: [...DEFAULT_HEADERS, 'Content-Type: multipart/mixed; boundary=A', 'X-Part: top'],
  body: [
    '--A',
    'Content-Type: multipart/alternative; boundary=B',
    'X-Part: alt',
    '',
    '--B',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    'X-Part: plain',
    '',
    'Gr=C3=BC=C3=9Fe, the total is 42.',
    '--B',
    'Content-Type: text/html',
    'X-Part: html',
    '',
    '<p>Hello <b>there</b></p>',
    '--B--',
    '--A',
    'Content-Type: application/pdf; name="a.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    'X-Part: pdf',
    '',
    'JVBERg==',
    '--A--',
    '',
  ].join('\r\n'),
};

test('foreverypart visits the message then every part depth first; a nested loop the parts below', () => {
  const s = `require ["foreverypart", "mime", "variables", "fileinto"];
    set "order" "";
    foreverypart { if header :mime :matches "x-part" "*" { set "order" "\${order}/\${1}"; } }
    fileinto "\${order}";
    set "inner" "";
    foreverypart { if header :mime "x-part" "alt" { foreverypart {
      if header :mime :matches "x-part" "*" { set "inner" "\${inner}/\${1}"; } } } }
    fileinto "inner\${inner}";`;
  assert.deepEqual(actionsOf(s, MULTIPART), [
    'fileinto:/top/alt/plain/html/pdf',
    'fileinto:inner/plain/html',
  ]);
});

test('break leaves the innermost loop, or the one it names', () => {
  const s = `require ["foreverypart", "mime", "variables", "fileinto"];
    set "seen" "";
    foreverypart :name "outer" {
      if header :mime :matches "x-part" "*" { set "seen" "\${seen}/\${1}"; }
      foreverypart { if header :mime "x-part" "html" { break :name "outer"; } }
    }
    fileinto "\${seen}";`;
  assert.deepEqual(actionsOf(s, MULTIPART), ['fileinto:/top']);
  rejects('require "foreverypart"; break;', /break outside foreverypart/);
  rejects('require "foreverypart"; foreverypart :name "a" { break :name "b"; }', /names no enclosing/);
});

test('header :mime with :type, :subtype, :contenttype, :param and :anychild (RFC 5703 §4)', () => {
  const t = (test: string) =>
    actionsOf(`require ["mime", "fileinto"]; if ${test} { fileinto "yes"; }`, MULTIPART)[0] ===
    'fileinto:yes';
  assert.ok(t('header :mime :type "content-type" "multipart"'));
  assert.ok(t('header :mime :subtype "content-type" "mixed"'));
  assert.ok(!t('header :mime :contenttype "content-type" "application/pdf"'));
  assert.ok(t('header :mime :anychild :contenttype "content-type" "application/pdf"'));
  assert.ok(t('header :mime :anychild :param "filename" :matches "content-disposition" "*.pdf"'));
  assert.ok(t('header :mime :anychild :param ["name"] "content-type" "a.pdf"'));
  assert.ok(t('exists :mime :anychild "content-disposition"'));
  assert.ok(!t('exists :mime "content-disposition"'));
  rejects('require "mime"; if header :anychild "a" "b" {}', /:anychild needs :mime/);
  rejects('require "mime"; if header :type "a" "b" {}', /:type needs :mime/);
  rejects('if header :mime "a" "b" {}', /requires the "mime" extension/);
});

test('extracttext: decoded text of the current part, HTML as text, :first in characters, modifiers', () => {
  const s = `require ["foreverypart", "mime", "extracttext", "variables", "fileinto"];
    foreverypart {
      if header :mime "x-part" "plain" { extracttext :first 5 :upper "t"; fileinto "\${t}"; }
      if header :mime "x-part" "html" { extracttext "h"; if string :contains "\${h}" "Hello  there" { fileinto "html"; } }
    }`;
  assert.deepEqual(actionsOf(s, MULTIPART), ['fileinto:GRÜSSE', 'fileinto:html']);
  rejects('require ["extracttext", "variables", "foreverypart"]; extracttext "x";', /outside foreverypart/);
  rejects('require ["extracttext", "foreverypart"]; foreverypart { extracttext "x"; }', /"variables"/);
});

test('spamtest and virustest read the scanner verdicts on RFC 5235 scales', () => {
  const spam = (status: string | undefined, test: string) =>
    actionsOf(
      `require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
      if ${test} { fileinto "yes"; }`,
      {
        headers: status ? [...DEFAULT_HEADERS, `X-Spam-Status: ${status}`] : DEFAULT_HEADERS,
      },
    )[0] === 'fileinto:yes';
  const numeric = ':comparator "i;ascii-numeric"';
  assert.ok(spam(undefined, 'spamtest "0"'), 'not scanned is 0');
  assert.ok(spam('No, score=-1.0 required=5.0', 'spamtest "1"'), 'negative scores are certainly not spam');
  assert.ok(spam('No, score=2.5 required=5.0', 'spamtest "5"'));
  assert.ok(spam('No, score=2.5 required=5.0', 'spamtest :percent "50"'));
  assert.ok(spam('Yes, score=25 required=5.0', `spamtest :value "eq" ${numeric} "10"`));
  assert.ok(spam('Yes, score=25 required=5.0', 'spamtest :percent "100"'));
  assert.ok(spam('garbled', 'spamtest "0"'));
  const untrusted = run('require ["spamtest", "fileinto"]; if spamtest "0" { fileinto "untested"; }', {
    headers: [...DEFAULT_HEADERS, 'X-Spam-Status: Yes, score=25 required=5.0'],
    context: { trustSpamStatus: false },
  });
  assert.equal(untrusted.actions[0]?.type === 'fileinto' && untrusted.actions[0].mailbox, 'untested');
  const virus = (verdict: number | undefined, key: string) =>
    actionsOf('require ["virustest", "fileinto"]; if virustest "' + key + '" { fileinto "yes"; }', {
      context: verdict === undefined ? {} : { virusVerdict: verdict },
    })[0] === 'fileinto:yes';
  assert.ok(virus(undefined, '0'));
  assert.ok(virus(1, '1'));
  assert.ok(virus(5, '5'));
  rejects('require "spamtest"; if spamtest :percent "1" {}', /:percent requires the "spamtestplus"/);
});

test('notify: mailto only, checked at compile time when constant and at run time otherwise', () => {
  const r = run(
    'require ["enotify", "variables"]; set "who" "ops"; notify :importance "1" :message "m" "mailto:${who}@example.org?cc=b@example.org";',
  );
  assert.equal(r.error, undefined);
  const n = r.actions.find((a): a is NotifyAction => a.type === 'notify')!;
  assert.equal(n.method, 'mailto:ops@example.org?cc=b@example.org');
  assert.equal(n.importance, '1');
  assert.equal(n.message, 'm');
  assert.deepEqual(parseMailto(n.method).recipients, ['ops@example.org', 'b@example.org']);
  rejects('require "enotify"; notify "xmpp:a@b.example";', /"xmpp" is not supported/);
  rejects('require "enotify"; notify "mailto:not an address";', /not a mail address/);
  rejects('require "enotify"; notify :importance "4" "mailto:a@b.example";', /:importance must be/);
  rejects('require "enotify"; notify :from "nobody" "mailto:a@b.example";', /:from "nobody"/);
  const bad = run('require ["enotify", "variables"]; set "u" "mailto:%zz"; notify "${u}";');
  assert.match(String(bad.error?.message), /bad %-escape/);
  assert.deepEqual(
    actionsOf('require "enotify"; notify "mailto:a@b.example"; notify "mailto:a@b.example";'),
    ['notify', 'keep'],
  );
});

test('notify is not sent for automatic mail (RFC 5436 §2.7)', () => {
  assert.deepEqual(
    actionsOf('require "enotify"; notify "mailto:a@b.example";', {
      headers: [...DEFAULT_HEADERS, 'Auto-Submitted: auto-replied'],
    }),
    ['keep'],
  );
});

test('set :encodeurl percent-encodes all but unreserved characters (RFC 5435 §6)', () => {
  const r = run(
    'require ["enotify", "variables", "fileinto"]; set :encodeurl "x" "a b&c=d/é~"; fileinto "${x}";',
  );
  assert.equal(r.actions[0]?.type === 'fileinto' && r.actions[0].mailbox, 'a%20b%26c%3Dd%2F%C3%A9~');
});

test('reject and vacation cannot be combined (RFC 5429 §2.4)', () => {
  const r = run('require ["reject", "vacation"]; vacation "away"; reject "no";');
  assert.match(String(r.error?.message), /reject cannot be combined with vacation/);
});
