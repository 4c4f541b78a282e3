// Our engine against SpamAssassin itself on a small rules file covering each rule type.
// CI installs spamassassin; without it this test fails on purpose.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCf } from './cf-parser.js';
import { SpamEngine } from './engine.js';

const RULES = String.raw`
required_score 4
use_bayes 0
header T1_SUBJ Subject =~ /\bfree\b/i
describe T1_SUBJ subject says free
score T1_SUBJ 1.5
header T1_FROMADDR From:addr =~ /\@example\.com$/
score T1_FROMADDR 0.7
header T1_NAME From:name =~ /^Bob/
header T1_EXISTS exists:X-Mailer
score T1_EXISTS 0.3
header T1_NOLIST List-Id !~ /./
score T1_NOLIST 0.2
header T1_UNSET X-Foo =~ /^unset$/ [if-unset: unset]
score T1_UNSET 0.4
header T1_TOCC ToCc =~ /carol\@/
score T1_TOCC 0.6
header T1_ALL ALL =~ /^X-Mailer: foo/m
score T1_ALL 0.25
body T1_BODY /\bviagra\b/i
score T1_BODY 2.1
body T1_PARA /hello there, this is/i
score T1_PARA 0.15
body T1_SPAN /first para second para/
score T1_SPAN 0.9
rawbody T1_RAW /<b>bold<\/b>/
score T1_RAW 0.35
full T1_FULL /^Message-ID: <2\@x>/m
score T1_FULL 0.45
uri T1_URI /example\.net/
score T1_URI 0.55
body __T1_SUB1 /money/i
body __T1_SUB2 /fast/i
meta T1_META __T1_SUB1 && __T1_SUB2
score T1_META 1.1
meta T1_ARITH (__T1_SUB1 + __T1_SUB2 + T1_BODY) >= 2
score T1_ARITH 0.8
body T_T1_TEST /stuff/i
body T1_NICE /unsubscribe/i
tflags T1_NICE nice
body T1_ZERO /hello/i
score T1_ZERO 0
body T1_FOUR /goodbye/i
score T1_FOUR 1.0 2.0 3.0 4.0
body T1_HTML /click here now/i
score T1_HTML 0.75
body T1_PERL /\bcheap\sWATCH(?:es)?\z/i
score T1_PERL 0.33
body T1_UTF8 /caf\xc3\xa9 s/
score T1_UTF8 0.11
body T1_UTF8_CHAR /caf\xe9/
score T1_UTF8_CHAR 0.12
body T1_LATIN /na\xefve/
score T1_LATIN 0.13
rawbody T1_RAW8 /\xc3\xa9t\xc3\xa9/
score T1_RAW8 0.14
header T1_SUBJ8 Subject =~ /\xc3\xbcber/
score T1_SUBJ8 0.16
body T1_ENTITY /r\xe9sum\xe9 /
score T1_ENTITY 0.17
body T1_ENTITY8 /r\xc3\xa9sum\xc3\xa9 /
score T1_ENTITY8 0.19
body T1_TDSPACE /one two three/
score T1_TDSPACE 0.18
ifplugin Mail::SpamAssassin::Plugin::HeaderEval
header T1_NOTO eval:check_for_missing_to_header()
score T1_NOTO 0.5
header T1_CAPS eval:subject_is_all_caps()
score T1_CAPS 0.65
endif
if (version >= 3.004000)
body T1_VER /goodbye/
score T1_VER 0.05
endif
ifplugin Mail::SpamAssassin::Plugin::NoSuchPlugin
body T1_NEVER /./
endif
`;

const MESSAGES: Record<string, string> = {
  plain: `From: Bob Smith <bob@example.com>
To: alice@example.org
Cc: Carol <carol@example.org>
Subject: Get FREE stuff
X-Mailer: foo
Message-ID: <1@x>
Date: Thu, 22 Aug 2002 13:17:22 +0000

Hello there,
this is free money fast. Visit http://www.example.net/x

first para

second para
`,
  noto: `From: spammer@example.biz
Subject: BUY CHEAP WATCHES NOW
Message-ID: <2@x>
Date: Thu, 22 Aug 2002 13:17:22 +0000

Buy viagra and goodbye. To unsubscribe reply.
Get your cheap watches
`,
  html: `From: "Shop" <shop@example.com>
To: bob@example.org
Subject: =?utf-8?B?ZnJlZSBzaGlwcGluZw==?=
Message-ID: <3@x>
List-Id: <list.example.org>
X-Foo: bar
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="BB"

--BB
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Plain part with money=20
and more.

--BB
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

${Buffer.from('<html><body><p>Please <b>bold</b> <a href="http://shop.example.net/buy">click here now</a></p><p>fast</p></body></html>\n').toString('base64')}
--BB--
`,
  utf8: `From: a@example.com
To: b@example.org
Subject: plain
Message-ID: <4@x>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Un caf\u00e9 s'il vous pla\u00eet, \u00e9t\u00e9 comme hiver.
`,
  latin1: `From: a@example.com
To: b@example.org
Subject: =?iso-8859-1?Q?=FCber?= alles
Message-ID: <5@x>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Une id=E9e na=EFve.
`,
  entities: `From: a@example.com
To: b@example.org
Subject: cv
Message-ID: <6@x>
MIME-Version: 1.0
Content-Type: text/html; charset=us-ascii

<html><title>x</title><body><p>my r&eacute;sum&eacute; attached</p>
<table><tr><td>one</td><td>two</td></tr><tr><td>three</td></tr></table></body></html>
`,
};

let dir = '';
before(() => {
  const probe = spawnSync('spamassassin', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    assert.fail(
      'spamassassin is not installed (apt-get install spamassassin); sa-compare needs it to compare results',
    );
  dir = mkdtempSync(join(tmpdir(), 'sa-compare-'));
  for (const d of ['site', 'cfg']) spawnSync('mkdir', ['-p', join(dir, d)]);
  for (const f of readdirSync('/etc/spamassassin').filter((n) => n.endsWith('.pre')))
    copyFileSync(join('/etc/spamassassin', f), join(dir, 'site', f));
  // default prefs give the report template; the TLD list lets SpamAssassin recognise URIs
  for (const f of ['10_default_prefs.cf', '20_aux_tlds.cf'])
    copyFileSync(join('/usr/share/spamassassin', f), join(dir, 'cfg', f));
  writeFileSync(join(dir, 'cfg', 'rules.cf'), RULES);
  writeFileSync(join(dir, 'prefs'), '');
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runSa(msg: Buffer): { score: number; hits: string[] } {
  const r = spawnSync(
    'spamassassin',
    ['-L', '-t', '-C', join(dir, 'cfg'), `--siteconfigpath=${join(dir, 'site')}`, '-p', join(dir, 'prefs')],
    {
      input: msg,
      encoding: 'latin1',
      env: { ...process.env, HOME: dir },
      timeout: 60_000,
    },
  );
  const out = r.stdout;
  const m = /Content analysis details:\s+\((-?[\d.]+) points/.exec(out);
  assert.ok(m, `no report from spamassassin: ${r.stderr}`);
  const table = out.slice(out.lastIndexOf('---- ----'));
  const hits = [...table.matchAll(/^\s*-?\d+(?:\.\d+)?\s+([A-Z_0-9]+)\s/gm)].map((x) => x[1]!).sort();
  return { score: Number(m[1]), hits };
}

const engine = new SpamEngine(parseCf([{ file: 'rules.cf', text: RULES }]));

for (const [name, text] of Object.entries(MESSAGES)) {
  test(`same hits and score as spamassassin: ${name}`, () => {
    // the messages are UTF-8 text; the utf8 one is the only one with non-ASCII characters
    const raw = Buffer.from(text, 'utf8');
    const sa = runSa(raw);
    const ours = engine.scan(raw);
    assert.deepEqual(ours.hits.map((h) => h.name).sort(), sa.hits);
    assert.equal(ours.score.toFixed(1), sa.score.toFixed(1));
  });
}
