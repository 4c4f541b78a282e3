import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SieveRuntimeError, SieveSyntaxError } from './errors.js';
import { actionsOf, DEFAULT_HEADERS, run } from './testing.js';

test('implicit keep when nothing is done; cancelled by fileinto, redirect, discard, reject (RFC 5228 §2.10.2)', () => {
  assert.deepEqual(actionsOf(''), ['keep']);
  assert.deepEqual(actionsOf('require "fileinto"; fileinto "A";'), ['fileinto:A']);
  assert.deepEqual(actionsOf('redirect "x@example.net";'), ['redirect:x@example.net']);
  assert.deepEqual(actionsOf('discard;'), ['discard']);
  assert.deepEqual(actionsOf('require "reject"; reject "no";'), ['reject:no']);
  assert.deepEqual(actionsOf('require "ereject"; ereject "no";'), ['ereject:no']);
  assert.deepEqual(actionsOf('discard; keep;'), ['discard', 'keep']);
  const implicit = run('').actions[0];
  assert.deepEqual(implicit, { type: 'keep', flags: [], implicit: true });
});

test(':copy keeps the implicit keep (RFC 3894)', () => {
  assert.deepEqual(actionsOf('require ["fileinto","copy"]; fileinto :copy "A"; redirect :copy "b@c.d";'), [
    'fileinto:A:copy',
    'redirect:b@c.d:copy',
    'keep',
  ]);
});

test('stop ends the script; if/elsif/else take the first true branch', () => {
  const s =
    'require "fileinto"; if false { fileinto "1"; } elsif true { fileinto "2"; stop; } else { fileinto "3"; } fileinto "4";';
  assert.deepEqual(actionsOf(s), ['fileinto:2']);
});

test('repeated keep/fileinto to the same mailbox and redirects to the same address happen once (§2.10.3)', () => {
  assert.deepEqual(
    actionsOf(
      'require "fileinto"; fileinto "A"; fileinto "A"; keep; keep; redirect "a@b.c"; redirect "A@b.c";',
    ),
    ['fileinto:A', 'keep', 'redirect:a@b.c'],
  );
});

test('RFC 5228 §9 example', () => {
  const script = `
     require ["fileinto", "reject"];
     if size :over 100k { discard; }
     elsif address :DOMAIN :is ["From", "To"] "example.com" { keep; }
     elsif anyof (NOT address :all :contains ["To", "Cc", "Bcc"] "me@example.com",
                  header :matches "subject" ["*make*money*fast*", "*university*dipl*mas*"]) {
        fileinto "spam";
     } else { fileinto "personal"; }`;
  assert.deepEqual(actionsOf(script), ['keep']);
  const other = ['From: a@example.net', 'To: x@else.net', 'Subject: MAKE big MONEY FAST'];
  assert.deepEqual(actionsOf(script, { headers: other }), ['fileinto:spam']);
  assert.deepEqual(
    actionsOf(script, {
      headers: ['From: a@example.net', 'To: x@else.net', 'Cc: me@example.com', 'Subject: hi'],
    }),
    ['fileinto:personal'],
  );
  assert.deepEqual(actionsOf(script, { body: 'x'.repeat(200_000) }), ['discard']);
});

test('header, address, exists, size and match types', () => {
  const t = (test: string, spec = {}) => actionsOf(`if ${test} { discard; }`, spec)[0] === 'discard';
  assert.ok(t('header :is "subject" "hello THERE"'));
  assert.ok(!t('header :comparator "i;octet" :is "subject" "hello THERE"'));
  assert.ok(t('header :contains ["x-none","subject"] "lo th"'));
  assert.ok(t('header :matches "subject" "H?llo*"'));
  assert.ok(t('header :matches "subject" "*"'));
  assert.ok(!t('header :matches "subject" "Hello"'));
  assert.ok(t('header :matches "subject" "*\\\\*"', { headers: ['Subject: a*'] }));
  assert.ok(t('address :is :localpart "from" "joe"'));
  assert.ok(t('address :is :domain "to" "EXAMPLE.org"'));
  assert.ok(t('address :is :all "to" "user@example.org"'));
  assert.ok(
    t('address :is "to" ["c@d.e"]', {
      headers: ['To: "Team, All" <a@b.c>, (x) c@d.e (y), Group: e@f.g, h@i.j;'],
    }),
  );
  assert.ok(t('address :is "to" ["h@i.j"]', { headers: ['To: Group: e@f.g, h@i.j;'] }));
  assert.ok(t('exists ["from","date"]'));
  assert.ok(!t('exists ["from","x-nope"]'));
  assert.ok(t('size :under 1K'));
  assert.ok(!t('size :over 1K'));
  assert.ok(t('not header :contains "subject" "nope"'));
  assert.ok(t('header :contains "subject" ""'));
  assert.ok(!t('header :contains "x-absent" ""'));
  assert.ok(t('allof(true, anyof(false, true))'));
  assert.ok(t('header :is "subject" "caf\u00e9"', { headers: ['Subject: =?iso-8859-1?q?caf=E9?='] }));
});

test('envelope (RFC 5228 §5.4) and subaddress (RFC 5233)', () => {
  const env = { envelope: { from: 'ken+lists@example.com', to: 'user+sieve@example.org' } };
  const t = (test: string, spec = env) =>
    actionsOf(`require ["envelope","subaddress"]; if ${test} { discard; }`, spec)[0] === 'discard';
  assert.ok(t('envelope :is :user "to" "user"'));
  assert.ok(t('envelope :is :detail "to" "sieve"'));
  assert.ok(t('envelope :is :domain "from" "example.com"'));
  assert.ok(t('envelope :matches :detail "from" "l*"'));
  assert.ok(!t('envelope :is :detail "to" ""', { envelope: { from: 'a@b', to: 'user@example.org' } }));
  assert.ok(t('envelope :is :detail "to" ""', { envelope: { from: 'a@b', to: 'user+@example.org' } }));
  assert.ok(t('envelope :is :all "from" ""', { envelope: { from: '', to: 'u@x' } }));
  assert.ok(t('envelope :is :localpart "from" ""', { envelope: { from: '', to: 'u@x' } }));
  assert.ok(t('address :is :user "to" "user"'));
});

test('relational :value and :count (RFC 5231)', () => {
  const d = (test: string, headers?: string[]) =>
    actionsOf(`require ["relational","comparator-i;ascii-numeric"]; if ${test} { discard; }`, {
      headers,
    })[0] === 'discard';
  const hs = [...DEFAULT_HEADERS, 'X-Priority: 3', 'Cc: a@x.com, b@x.com', 'Received: one', 'Received: two'];
  assert.ok(d('header :value "lt" :comparator "i;ascii-numeric" "x-priority" "5"', hs));
  assert.ok(!d('header :value "gt" :comparator "i;ascii-numeric" "x-priority" "10"', hs));
  assert.ok(d('header :value "gt" :comparator "i;ascii-casemap" "x-priority" "10"', hs));
  assert.ok(d('address :count "ge" :comparator "i;ascii-numeric" ["to","cc"] "3"', hs));
  assert.ok(d('header :count "eq" :comparator "i;ascii-numeric" "received" "2"', hs));
  assert.ok(d('header :count "eq" :comparator "i;ascii-numeric" "x-absent" "0"', hs));
  assert.ok(d('header :value "eq" :comparator "i;ascii-numeric" "subject" "abc"', hs));
});

test('variables: set modifiers, expansion, match variables (RFC 5229)', () => {
  const s = (body: string, spec = {}) => actionsOf(`require ["variables","fileinto"]; ${body}`, spec);
  assert.deepEqual(
    s(
      'set "a" "Joe"; set :upper "b" "${a}"; set :lowerfirst "c" "ABC"; set :length "n" "${a}${b}"; fileinto "${b}-${c}-${n}-${nope}";',
    ),
    ['fileinto:JOE-aBC-6-'],
  );
  assert.deepEqual(s('set :upperfirst :lower "a" "hELLO"; fileinto "${A}";'), ['fileinto:Hello']);
  assert.deepEqual(s('set :quotewildcard "a" "*x?\\\\"; fileinto "${a}";'), ['fileinto:\\*x\\?\\\\']);
  assert.deepEqual(s('fileinto "${";'), ['fileinto:${']);
  const list = [
    'List-ID: Acme users <acme-users@lists.example.com>',
    'Subject: [acme-users] [fwd] version 1.0 is out',
  ];
  assert.deepEqual(
    s('if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; stop; }', { headers: list }),
    ['fileinto:INBOX.lists.acme-users'],
  );
  assert.deepEqual(
    s('if header :matches "Subject" "[*] *" { fileinto "${1}|${2}|${0}"; }', { headers: list }),
    ['fileinto:acme-users|[fwd] version 1.0 is out|[acme-users] [fwd] version 1.0 is out'],
  );
  assert.deepEqual(s('if string :is "${nope}" "" { fileinto "empty"; }'), ['fileinto:empty']);
  assert.deepEqual(
    actionsOf(
      'require ["variables","fileinto","relational"]; if string :count "eq" ["a","","b"] "2" { fileinto "two"; }',
    ),
    ['fileinto:two'],
  );
});

test('regex match variables and a catastrophic user regex (regex draft + RFC 5229)', () => {
  assert.deepEqual(
    actionsOf(
      'require ["regex","variables","fileinto"]; if header :regex "subject" "^(H[a-z]+) (.*)$" { fileinto "${2}/${1}"; }',
    ),
    ['fileinto:there/Hello'],
  );
  const start = Date.now();
  const r = run('require "regex"; if header :regex "subject" "(a+)+$" { discard; }', {
    headers: [`Subject: ${'a'.repeat(5000)}b`],
  });
  assert.ok(Date.now() - start < 2000);
  assert.deepEqual(
    r.actions.map((a) => a.type),
    ['keep'],
  );
});

test('imap4flags: setflag/addflag/removeflag, hasflag, :flags and implicit keep flags (RFC 5232)', () => {
  const s = 'require ["imap4flags","fileinto"]; ';
  assert.deepEqual(
    actionsOf(`${s} addflag "\\\\Seen"; addflag ["\\\\flagged", "\\\\Seen $Junk"]; removeflag "$junk";`),
    ['keep[\\Seen \\flagged]'],
  );
  assert.deepEqual(actionsOf(`${s} setflag "A"; fileinto "X"; setflag "B"; keep :flags ["C"];`), [
    'fileinto:X[A]',
    'keep[C]',
  ]);
  assert.deepEqual(actionsOf(`${s} setflag "\\\\Deleted"; if hasflag :contains "deleted" { discard; }`), [
    'discard',
  ]);
  assert.deepEqual(
    actionsOf(
      'require ["imap4flags","variables"]; addflag "f" "A"; addflag "f" "B"; if hasflag "f" "B" { keep :flags "${f}"; }',
    ),
    ['keep[A B]'],
  );
});

test('body :text, :content, :raw (RFC 5173)', () => {
  const headers = ['From: a@b.c', 'Content-Type: multipart/alternative; boundary="XX"'];
  const body = [
    '--XX',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=E9 au lait',
    '--XX',
    'Content-Type: text/html',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Big <b>sale</b></p>').toString('base64'),
    '--XX--',
    '',
  ].join('\r\n');
  const t = (test: string) =>
    actionsOf(`require "body"; if ${test} { discard; }`, { headers, body })[0] === 'discard';
  assert.ok(t('body :contains "caf\u00e9"'));
  assert.ok(t('body :text :contains "Big  sale"'));
  assert.ok(t('body :content "text/html" :contains "<b>sale</b>"'));
  assert.ok(!t('body :content "text/plain" :contains "sale"'));
  assert.ok(t('body :content "text" :contains "sale"'));
  assert.ok(t('body :raw :contains "Caf=E9"'));
  assert.ok(!t('body :raw :contains "caf\u00e9"'));
});

test('date and currentdate with :zone, :originalzone and :index (RFC 5260)', () => {
  const d = (test: string, headers?: string[]) =>
    actionsOf(`require ["date","relational","index"]; if ${test} { discard; }`, { headers })[0] === 'discard';
  assert.ok(d('date :zone "+0000" "date" "hour" "14"'));
  assert.ok(d('date :originalzone "date" "hour" "09"'));
  assert.ok(d('date :originalzone "date" "zone" "-0500"'));
  assert.ok(d('date :zone "+0100" "date" "iso8601" "2005-11-01T15:31:37+01:00"'));
  assert.ok(d('date :originalzone "date" "std11" "Tue, 1 Nov 2005 09:31:37 -0500"'));
  assert.ok(d('date :zone "-0500" "date" "weekday" "2"'));
  assert.ok(d('date :zone "+0000" "date" "julian" "53675"'));
  assert.ok(d('currentdate :zone "+0000" "date" "2024-03-05"'));
  assert.ok(d('currentdate :value "ge" "date" "2024-01-01"'));
  assert.ok(d('currentdate :zone "+0200" "time" "12:20:30"'));
  assert.ok(!d('date "x-absent" "year" "2005"'));
  const hs = [...DEFAULT_HEADERS, 'X-D: 1 Jan 2001 00:00 +0000', 'X-D: 1 Jan 2002 00:00 +0000'];
  assert.ok(d('date :index 2 "x-d" "year" "2002"', hs));
  assert.ok(d('date :index 1 :last "x-d" "year" "2002"', hs));
  assert.ok(d('header :index 1 :contains "x-d" "2001"', hs));
  assert.ok(!d('header :index 3 :contains "x-d" "20"', hs));
});

test('vacation replies per RFC 5230/3834 and respects the period callback', () => {
  const script =
    'require "vacation"; vacation :days 3 :subject "Away" :addresses ["alias@example.org"] "I am away";';
  const r = run(script);
  assert.deepEqual(r.actions, [
    {
      type: 'vacation',
      to: 'joe@example.com',
      from: 'user@example.org',
      subject: 'Away',
      reason: 'I am away',
      mime: false,
      seconds: 3 * 86400,
      addresses: ['alias@example.org'],
      handle: 'I am awayAway<default-from><NO-MIME>',
      inReplyTo: '<m1@example.com>',
    },
    { type: 'keep', flags: [], implicit: true },
  ]);
  const none = (spec: Parameters<typeof run>[1]) =>
    assert.deepEqual(actionsOf(script, spec), ['keep'], JSON.stringify(spec));
  none({ headers: [...DEFAULT_HEADERS, 'Auto-Submitted: auto-replied'] });
  none({ headers: [...DEFAULT_HEADERS, 'Precedence: bulk'] });
  none({ headers: [...DEFAULT_HEADERS, 'List-Id: <x.example.com>'] });
  none({ envelope: { from: '' } });
  none({ envelope: { from: 'MAILER-DAEMON@example.com' } });
  none({ envelope: { from: 'owner-list@example.com' } });
  none({ envelope: { from: 'list-request@example.com' } });
  none({ headers: ['From: joe@example.com', 'To: someone-else@example.org'] });
  none({ context: { vacationReplied: () => true } });
  assert.deepEqual(actionsOf(script, { headers: [...DEFAULT_HEADERS, 'Auto-Submitted: no'] }), [
    'vacation:joe@example.com',
    'keep',
  ]);
  assert.deepEqual(
    actionsOf(script, { headers: ['From: joe@example.com', 'Cc: Alias <ALIAS@example.org>'] }),
    ['vacation:joe@example.com', 'keep'],
  );
  const seen: [string, string, number][] = [];
  run('require "vacation-seconds"; vacation :seconds 7200 :handle "h" "x";', {
    context: { vacationReplied: (s, h, p) => (seen.push([s, h, p]), false) },
    run: { vacationMinSeconds: 3600 },
  });
  assert.deepEqual(seen, [['joe@example.com', 'h', 7200]]);
  assert.deepEqual(run('require "vacation"; vacation :days 0 "x";').actions[0], {
    ...(run('require "vacation"; vacation :days 1 "x";').actions[0] as object),
  });
  assert.ok(run('require "vacation"; vacation "a"; vacation "b";').error instanceof SieveRuntimeError);
});

test('mailbox: fileinto :create and mailboxexists (RFC 5490)', () => {
  const spec = { context: { mailboxExists: (m: string) => m === 'INBOX' || m === 'Lists' } };
  assert.deepEqual(
    actionsOf(
      'require ["mailbox","fileinto"]; if mailboxexists ["INBOX","Lists"] { fileinto :create "New"; }',
      spec,
    ),
    ['fileinto:New'],
  );
  assert.equal(
    (run('require ["mailbox","fileinto"]; fileinto :create "New";').actions[0] as { create: boolean }).create,
    true,
  );
  assert.deepEqual(actionsOf('require "mailbox"; if mailboxexists "Nope" { discard; }', spec), ['keep']);
});

test('editheader: addheader/deleteheader, protected headers, later tests see the edits (RFC 5293)', () => {
  const hs = [...DEFAULT_HEADERS, 'X-Spam: yes', 'X-Spam: maybe', 'X-Spam: no', 'Received: from x'];
  const s = 'require ["editheader","index"]; ';
  assert.deepEqual(
    actionsOf(`${s} addheader "X-A" "1"; addheader :last "X-A" "2"; if header :is "x-a" "1" { discard; }`, {
      headers: hs,
    }),
    ['addheader:X-A:1', 'addheader:X-A:2:last', 'discard'],
  );
  assert.deepEqual(
    actionsOf(
      `${s} deleteheader :index 1 :last "x-spam"; deleteheader :contains "x-spam" "ye"; if exists "x-spam" { keep; }`,
      { headers: hs },
    ),
    ['deleteheader:x-spam:2', 'deleteheader:x-spam:0', 'keep'],
  );
  assert.deepEqual(
    actionsOf(`${s} deleteheader "received"; addheader "Auto-Submitted" "x"; deleteheader "x-spam";`, {
      headers: hs,
    }),
    ['deleteheader:x-spam:0,1,2', 'keep'],
  );
});

test('duplicate (RFC 7352) asks the callback with handle and id', () => {
  const calls: [string, number, boolean][] = [];
  const context = {
    duplicate: (id: string, s: number, last: boolean) => (calls.push([id, s, last]), calls.length > 1),
  };
  const s =
    'require ["duplicate","fileinto"]; if duplicate { discard; } if duplicate :handle "h" :header "subject" :seconds 60 :last { fileinto "dup"; }';
  assert.deepEqual(actionsOf(s, { context }), ['fileinto:dup']);
  assert.deepEqual(calls, [
    ['\0<m1@example.com>', 7 * 86400, false],
    ['h\0Hello there', 60, true],
  ]);
  assert.deepEqual(actionsOf('require "duplicate"; if duplicate :uniqueid "" { discard; }'), ['keep']);
});

test('environment (RFC 5183)', () => {
  const s =
    'require ["environment","fileinto","variables"]; if allof(environment :is "location" "MDA", environment :is "phase" "during", environment :matches "host" "*") { fileinto "${1}"; } if environment "nope" "" { discard; }';
  assert.deepEqual(actionsOf(s, { context: { host: 'mx.example.org' } }), ['fileinto:mx.example.org']);
});

test('include with :once, :optional, return and global variables (RFC 6609)', () => {
  const scripts: Record<string, string> = {
    spam: 'require ["fileinto","variables","include"]; global "box"; if header :contains "subject" "hello" { fileinto "${box}"; return; } discard;',
    loop: 'require "include"; include "loop";',
    setter: 'require ["variables","include"]; global "box"; set "box" "Junk";',
  };
  const run2 = (s: string) =>
    run(s, { run: { loadScript: (n, loc) => (loc === 'personal' ? scripts[n] : undefined) } });
  const base = 'require ["include","variables"]; global "box"; ';
  assert.deepEqual(
    run2(
      `${base} include "setter"; include :once "spam"; include :once "spam"; include :optional "missing";`,
    ).actions.map((a) => a.type + ('mailbox' in a ? a.mailbox : '')),
    ['fileintoJunk'],
  );
  assert.match(run2('require "include"; include "loop";').error!.message, /include loop/);
  assert.match(run2('require "include"; include "missing";').error!.message, /does not exist/);
  assert.match(
    run2('require "include"; include :global "spam";').error!.message,
    /global script "spam" does not exist/,
  );
});

test('runtime errors fall back to keep: redirect limit, budget, reject conflicts', () => {
  const redirects = Array.from({ length: 5 }, (_, i) => `redirect "r${i}@example.net";`).join(' ');
  const r = run(redirects);
  assert.ok(r.error instanceof SieveRuntimeError);
  assert.match(r.error.message, /more than 4 redirects/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [], implicit: true }]);
  assert.deepEqual(actionsOf(redirects, { run: { maxRedirects: 5 } }).length, 5);
  const heavy = `if header :contains ${JSON.stringify(Array(1000).fill('subject'))} ${JSON.stringify(Array(1000).fill('zz'))} { discard; }`;
  assert.match(run(heavy, { run: { maxSteps: 10_000 } }).error!.message, /budget/);
  assert.match(
    run('require ["reject","fileinto"]; fileinto "a"; reject "b";').error!.message,
    /reject cannot be combined/,
  );
  assert.match(run('redirect "not an address";').error!.message, /invalid address/);
  assert.ok(run('keep').error instanceof SieveSyntaxError);
});
