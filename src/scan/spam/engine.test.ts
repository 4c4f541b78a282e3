import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCf } from './cf-parser.js';
import { SpamEngine } from './engine.js';
import { prepareMessage } from './message.js';

const engine = (rules: string) => new SpamEngine(parseCf([{ file: 't.cf', text: rules }]));
const msg = (headers: string, body: string) => Buffer.from(`${headers}\n\n${body}`);

test('GTUBE is detected without any rules', () => {
  const r = engine('').scan(
    msg('Subject: x', 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'),
  );
  assert.equal(r.isSpam, true);
  assert.deepEqual(
    r.hits.map((h) => h.name),
    ['GTUBE'],
  );
});

test('body is the subject line, then one line per paragraph, whitespace collapsed and HTML rendered', () => {
  const m = prepareMessage(
    msg(
      'Subject: Hi there\nContent-Type: text/html',
      '<p>one\n  two</p><p>three&amp;four</p><script>x</script>',
    ),
  );
  // as SpamAssassin's get_body_text_array_common: lines keep their newline; <p> opens a paragraph
  assert.deepEqual(m.body, ['Hi there\n', '\n', 'one two\n', 'three&four\n']);
});

test('multiple counts hits up to maxhits for metas; score counted once', () => {
  const e = engine(
    'body __W /word/\ntflags __W multiple maxhits=3\nmeta M __W >= 3\nscore M 2\nbody A /word/\nscore A 1',
  );
  const r = e.scan(msg('Subject: s', 'word word\n\nword word word'));
  assert.deepEqual(
    r.hits.map((h) => [h.name, h.score]),
    [
      ['A', 1],
      ['M', 2],
    ],
  );
  assert.equal(r.score, 3);
});

test('score set follows Bayes availability', () => {
  const e = engine('body A /a/\nscore A 1 2 3 4');
  assert.equal(e.scan(msg('Subject: a', 'a')).score, 1);
  assert.equal(e.scan(msg('Subject: a', 'a'), { bayes: 0.5 }).score, 3);
});

test('BAYES rules use check_bayes with the given probability', () => {
  const e = engine('body BAYES_99 eval:check_bayes(0.99, 1.00)\nscore BAYES_99 0 0 3.5 3.5');
  assert.equal(e.scan(msg('Subject: a', 'a'), { bayes: 0.995 }).score, 3.5);
  assert.equal(e.scan(msg('Subject: a', 'a')).score, 0);
});

test('stock-style evals: missing To, header count, welcomelist', () => {
  const e = engine(
    "header NOTO eval:check_for_missing_to_header()\nheader TWO eval:check_header_count_range('Subject','2','9')\n" +
      'header WL eval:check_from_in_whitelist()\nscore WL -100\nwhitelist_from *@friend.example',
  );
  const r = e.scan(msg('From: a@friend.example\nSubject: a\nSubject: b', 'x'));
  assert.deepEqual(
    r.hits.map((h) => h.name),
    ['NOTO', 'TWO', 'WL'],
  );
});

test('auto-learn decision uses SA thresholds', () => {
  const e = engine('header H Subject =~ /x/\nscore H 7\nrawbody B /x/\nscore B 7\nbody N /nice/\nscore N -1');
  assert.equal(e.scan(msg('Subject: x', 'x')).autolearn, 'spam');
  assert.equal(e.scan(msg('Subject: ok', 'nice')).autolearn, 'ham');
  assert.equal(e.scan(msg('Subject: x', 'y')).autolearn, 'no');
});

test('prefilter: a rule runs when one of its literals is in the text, and only then', () => {
  const e = engine(
    'body A /Viagra\\s+now/i\nbody B /(?:cheap|free)\\s+pills/\nbody C /(?:cheap|free)\\s+(?:a|b)/',
  );
  assert.deepEqual(
    e.scan(msg('Subject: x', 'buy VIAGRA now and free pills')).hits.map((h) => h.name),
    ['A', 'B'],
  );
  assert.deepEqual(
    e.scan(msg('Subject: x', 'cheap a')).hits.map((h) => h.name),
    ['C'],
  );
});

test('mimeheader exists: hits when any MIME part has the field (it has no regex to run)', () => {
  const e = engine('mimeheader PART_DISP exists:Content-Disposition\nscore PART_DISP 1.5');
  const multipart = msg(
    'Subject: s\nContent-Type: multipart/mixed; boundary=b',
    '--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment\n\nx\n--b--\n',
  );
  assert.deepEqual(
    e.scan(multipart).hits.map((h) => [h.name, h.score]),
    [['PART_DISP', 1.5]],
  );
  assert.deepEqual(e.scan(msg('Subject: s', 'plain')).hits, []);
});
