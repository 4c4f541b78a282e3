import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeBodyStructure, writeEnvelope } from './protocol/fetch.js';
import { ResponseWriter } from './response.js';
import { applyPartial, extractBinary, extractSection } from './section.js';
import { type BodyStructure, isMultipart, parseStructure } from './structure.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

const MIXED = crlf([
  'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
  'From: Terry Gray <gray@cac.washington.edu>',
  'Subject: IMAP4rev1 WG mtg summary and minutes',
  'To: imap@cac.washington.edu',
  'Cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>',
  'Message-Id: <B27397-0100000@cac.washington.edu>',
  'Content-Type: multipart/mixed;',
  ' boundary="b1"',
  '',
  'preamble',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  'Content-Language: en, de',
  '',
  'caf=C3=A9 =',
  'ok',
  '--b1',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'Content-Type: multipart/alternative; boundary=b2',
  '',
  '--b2',
  '',
  'plain',
  '--b2',
  'Content-Type: text/html',
  '',
  '<p>x</p>',
  '--b2--',
  '--b1',
  'Content-Type: image/png; name=x.png',
  'Content-Disposition: attachment; filename="x.png"',
  'Content-Transfer-Encoding: base64',
  'Content-ID: <id1>',
  '',
  'AAEC',
  'AwQ=',
  '--b1--',
  'epilogue',
]);

function bs(body: BodyStructure, extended = true): string {
  return writeBodyStructure(new ResponseWriter(), body, extended).take().toString('latin1');
}

describe('parseStructure: bad input', () => {
  it('takes an empty message as an empty text/plain body', () => {
    const s = parseStructure(Buffer.alloc(0));
    assert.equal(bs(s.body, false), '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)');
    assert.equal(s.envelope.from, null);
  });

  it('takes a multipart without a boundary as text/plain', () => {
    const s = parseStructure(crlf(['Content-Type: multipart/mixed', '', 'x']));
    assert.equal(s.body.type, 'text');
  });

  it('gives a multipart with no parts one empty part', () => {
    const s = parseStructure(crlf(['Content-Type: multipart/mixed; boundary=z', '', 'nothing here']));
    assert.ok(isMultipart(s.body) && s.body.parts.length === 1);
  });

  it('stops nesting at a fixed depth instead of overflowing the stack', () => {
    const deep = 'Content-Type: message/rfc822\r\n\r\n'.repeat(5000) + 'x';
    const s = parseStructure(Buffer.from(deep));
    assert.ok(bs(s.body).length > 0);
  });

  it('has no header end: all header, empty body', () => {
    const s = parseStructure(Buffer.from('Subject: x'));
    assert.equal(s.envelope.subject, 'x');
    assert.equal(s.body.bodyStart, 10);
  });
});

describe('parseStructure', () => {
  const s = parseStructure(MIXED);

  it('computes the envelope, with sender and reply-to defaulting to from', () => {
    const env = writeEnvelope(new ResponseWriter(), s.envelope).take().toString();
    assert.equal(
      env,
      '("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" ' +
        '(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ' +
        '(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ' +
        '((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL ' +
        '"<B27397-0100000@cac.washington.edu>")',
    );
  });

  it('computes BODYSTRUCTURE with sizes, lines, params, disposition, language', () => {
    assert.equal(
      bs(s.body),
      '(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 15 1 NIL NIL ("en" "de") NIL)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 132 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ' +
        '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL)' +
        '("text" "html" NIL NIL NIL "7bit" 8 0 NIL NIL NIL NIL) "alternative" ("boundary" "b2") NIL NIL NIL) 10 NIL NIL NIL NIL)' +
        '("image" "png" ("name" "x.png") "<id1>" NIL "base64" 10 NIL ("attachment" ("filename" "x.png")) NIL NIL) ' +
        '"mixed" ("boundary" "b1") NIL NIL NIL)',
    );
    assert.match(
      bs(s.body, false),
      /^\(\("text" "plain" \("charset" "utf-8"\) NIL NIL "quoted-printable" 15 1\)/,
    );
  });

  it('extracts sections', () => {
    const get = (
      part: number[],
      text?: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME',
      fields: string[] = [],
    ) => extractSection(MIXED, s, { part, text, fields })?.toString('latin1');
    assert.equal(get([]), MIXED.toString('latin1'));
    assert.equal(get([1]), 'caf=C3=A9 =\r\nok');
    assert.equal(get([2, 1]), 'plain');
    assert.equal(get([2, 2]), '<p>x</p>');
    assert.equal(get([2, 2, 1]), '<p>x</p>');
    assert.equal(
      get([2, 'HEADER' as never].slice(0, 1), 'HEADER'),
      'Subject: inner\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n',
    );
    assert.equal(get([2], 'TEXT')?.startsWith('--b2'), true);
    assert.equal(get([3], 'MIME')?.endsWith('<id1>\r\n\r\n'), true);
    assert.equal(
      get([], 'HEADER.FIELDS', ['SUBJECT', 'CONTENT-TYPE']),
      'Subject: IMAP4rev1 WG mtg summary and minutes\r\nContent-Type: multipart/mixed;\r\n boundary="b1"\r\n\r\n',
    );
    assert.equal(
      get([], 'HEADER.FIELDS.NOT', ['DATE', 'FROM', 'SUBJECT', 'TO', 'CC', 'MESSAGE-ID', 'CONTENT-TYPE']),
      '\r\n',
    );
    assert.equal(get([4]), undefined);
    assert.equal(get([1], 'HEADER'), undefined);
    assert.equal(applyPartial(Buffer.from('0123456789'), { offset: 8, length: 5 }).toString(), '89');
    assert.equal(applyPartial(Buffer.from('0123'), { offset: 9, length: 5 }).length, 0);
  });

  it('decodes BINARY parts', () => {
    assert.equal(extractBinary(MIXED, s, [1])?.toString('utf8'), 'café ok');
    assert.deepEqual(extractBinary(MIXED, s, [3]), Buffer.from([0, 1, 2, 3, 4]));
    assert.equal(extractBinary(MIXED, s, [2, 3]), null);
    assert.equal(extractBinary(MIXED, s, [2, 1])?.toString(), 'plain');
    assert.equal(extractBinary(MIXED, s, [9]), null);
    const odd = Buffer.from('Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin');
    assert.equal(extractBinary(odd, parseStructure(odd), [1]), undefined);
  });

  it('treats a non-multipart message as its own part 1', () => {
    const m = crlf(['Subject: a', '', 'body']);
    assert.equal(
      extractSection(m, parseStructure(m), { part: [1], text: undefined, fields: [] })?.toString(),
      'body',
    );
  });

  it('parses group syntax and route addresses', () => {
    const m = crlf(['To: undisclosed-recipients:;', 'Cc: A Group: "Q, R" <q@r>, s@t;, <@relay:u@v>', '', '']);
    const env = parseStructure(m).envelope;
    assert.deepEqual(env.to, [
      { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
      { name: null, adl: null, mailbox: null, host: null },
    ]);
    assert.deepEqual(env.cc, [
      { name: null, adl: null, mailbox: 'A Group', host: null },
      { name: 'Q, R', adl: null, mailbox: 'q', host: 'r' },
      { name: null, adl: null, mailbox: 's', host: 't' },
      { name: null, adl: null, mailbox: null, host: null },
      { name: null, adl: '@relay', mailbox: 'u', host: 'v' },
    ]);
  });
});
