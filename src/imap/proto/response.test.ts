import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapParseError } from './errors.js';
import { encodeBodyStructure, encodeEnvelope, fetch, formatDateTime } from './protocol/fetch.js';
import * as mailbox from './protocol/mailbox.js';
import * as misc from './protocol/misc.js';
import * as searchResponses from './protocol/search.js';
import { codes, continuation, parseErrorResponse, tagged, untagged } from './protocol/status.js';
import { ResponseWriter } from './response.js';
import { parseStructure } from './structure.js';

const text = (w: ResponseWriter) => w.take().toString('utf8');

describe('ResponseWriter: awkward strings', () => {
  it('sends CR, LF and NUL as literals, 8-bit as a literal unless UTF-8 is on', () => {
    assert.equal(text(new ResponseWriter().string('a\r\nb')), '{4}\r\na\r\nb');
    assert.equal(text(new ResponseWriter().string(Buffer.from([0x61, 0]))), '{2}\r\na\0');
    assert.equal(text(new ResponseWriter().string('café')), '{5}\r\ncafé');
    assert.equal(text(new ResponseWriter(true).string('café')), '"café"');
  });

  it('escapes quotes and backslashes, and keeps NIL-looking atoms quoted', () => {
    assert.equal(text(new ResponseWriter().string('a"b\\c')), '"a\\"b\\\\c"');
    assert.equal(text(new ResponseWriter().string(Buffer.from('a"b'))), '"a\\"b"');
    assert.equal(text(new ResponseWriter().astring('NIL')), '"NIL"');
    assert.equal(text(new ResponseWriter().astring('a b')), '"a b"');
    assert.equal(text(new ResponseWriter().astring('INBOX')), 'INBOX');
    assert.equal(text(new ResponseWriter().nstring(null)), 'NIL');
  });

  it('sends long strings as literals and NUL-bearing binary as literal8', () => {
    assert.match(text(new ResponseWriter().string('x'.repeat(2000))), /^\{2000\}\r\n/);
    assert.equal(text(new ResponseWriter().literal(Buffer.from([1, 0]), true)), '~{2}\r\n\x01\0');
  });

  it('keeps big payloads as separate chunks', () => {
    const big = Buffer.alloc(100_000, 0x61);
    const w = new ResponseWriter().raw('* 1 FETCH (BODY[] ').literal(big).raw(')\r\n');
    const chunks = w.takeChunks();
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1], big);
  });
});

describe('status responses', () => {
  it('writes tagged and untagged replies with codes, never with embedded line breaks', () => {
    assert.equal(
      tagged('A1', 'NO', 'No such\r\nmailbox', 'TRYCREATE').toString(),
      'A1 NO [TRYCREATE] No such mailbox\r\n',
    );
    assert.equal(
      tagged('A2', 'OK', 'Done', codes.appendUid(38505, [3955])).toString(),
      'A2 OK [APPENDUID 38505 3955] Done\r\n',
    );
    assert.equal(
      tagged('A3', 'OK', 'Done', codes.copyUid(38505, [304, 319, 320], [3956, 3957, 3958])).toString(),
      'A3 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n',
    );
    assert.equal(
      untagged('OK', 'Flags', codes.permanentFlags(['\\Deleted', '\\Seen', '\\*'])).toString(),
      '* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Flags\r\n',
    );
    assert.equal(
      tagged(
        'a',
        'OK',
        'x',
        codes.modified([
          [7, 7],
          [9, 9],
        ]),
      ).toString(),
      'a OK [MODIFIED 7,9] x\r\n',
    );
    assert.equal(untagged('BYE', 'bye').toString(), '* BYE bye\r\n');
    assert.equal(continuation().toString(), '+ Ready for literal data\r\n');
  });

  it('answers parse errors tagged when possible', () => {
    assert.equal(parseErrorResponse(new ImapParseError('Bad', { tag: 'a' })).toString(), 'a BAD Bad\r\n');
    assert.equal(
      parseErrorResponse(new ImapParseError('Big', { code: 'TOOBIG' })).toString(),
      '* BAD [TOOBIG] Big\r\n',
    );
    assert.equal(
      parseErrorResponse(new ImapParseError('Big', { tag: 'b', status: 'NO', code: 'TOOBIG' })).toString(),
      'b NO [TOOBIG] Big\r\n',
    );
  });
});

describe('data responses', () => {
  it('writes mailbox data (RFC 9051 examples)', () => {
    const w = new ResponseWriter();
    mailbox.exists(w, 172);
    mailbox.flags(w, ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft']);
    mailbox.expunge(w, 3);
    mailbox.vanished(
      w,
      [
        [41, 41],
        [43, 116],
      ],
      true,
    );
    mailbox.list(w, { attributes: ['\\Noselect'], delimiter: '/', name: '~/Mail/foo' });
    mailbox.list(w, {
      attributes: ['\\HasNoChildren'],
      delimiter: '/',
      name: '台北',
      childInfo: ['SUBSCRIBED'],
    });
    mailbox.status(w, 'blurdybloop', {
      MESSAGES: 231,
      UIDNEXT: 44292,
      MAILBOXID: 'F2212ea87-6097-4256-9d51-71338625',
    });
    mailbox.namespace(
      w,
      [{ prefix: '', delimiter: '/' }],
      [],
      [{ prefix: 'Public Folders/', delimiter: '/' }],
    );
    mailbox.enabled(w, ['CONDSTORE']);
    assert.equal(
      text(w),
      '* 172 EXISTS\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 3 EXPUNGE\r\n' +
        '* VANISHED (EARLIER) 41,43:116\r\n* LIST (\\Noselect) "/" ~/Mail/foo\r\n' +
        '* LIST (\\HasNoChildren) "/" &U,BTFw- ("CHILDINFO" ("SUBSCRIBED"))\r\n' +
        '* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n' +
        '* NAMESPACE (("" "/")) NIL (("Public Folders/" "/"))\r\n* ENABLED CONDSTORE\r\n',
    );
  });

  it('writes SEARCH, ESEARCH, SORT and THREAD', () => {
    const w = new ResponseWriter();
    searchResponses.search(w, [2, 84, 882]);
    searchResponses.search(w, [2, 5], 917162500);
    searchResponses.esearch(w, 'A285', true, { min: 7, max: 3800 });
    searchResponses.esearch(w, 'A284', false, {
      all: [
        [4, 4],
        [6, 9],
      ],
      count: 5,
    });
    searchResponses.esearch(w, 'A286', false, { count: 0 });
    searchResponses.search(w, [5, 3, 4], undefined, 'SORT');
    searchResponses.thread(w, [
      { id: 2, children: [] },
      {
        id: 3,
        children: [
          {
            id: 6,
            children: [
              { id: 4, children: [{ id: 23, children: [] }] },
              { id: 44, children: [{ id: 7, children: [{ id: 96, children: [] }] }] },
            ],
          },
        ],
      },
    ]);
    assert.equal(
      text(w),
      '* SEARCH 2 84 882\r\n* SEARCH 2 5 (MODSEQ 917162500)\r\n* ESEARCH (TAG "A285") UID MIN 7 MAX 3800\r\n' +
        '* ESEARCH (TAG "A284") ALL 4,6:9 COUNT 5\r\n* ESEARCH (TAG "A286") COUNT 0\r\n* SORT 5 3 4\r\n' +
        '* THREAD (2)(3 6 (4 23)(44 7 96))\r\n',
    );
  });

  it('writes ACL, QUOTA, METADATA and ID responses', () => {
    const w = new ResponseWriter();
    misc.acl(w, 'INBOX', [['Fred', 'rwipslxetad']]);
    misc.listRights(w, '~/Mail/saved', 'smith', 'la', ['r', 'swicdkxte']);
    misc.myRights(w, 'INBOX', 'rwiptsldaex');
    misc.quota(w, '', [{ resource: 'STORAGE', usage: 10, limit: 512 }]);
    misc.quotaRoot(w, 'INBOX', ['']);
    misc.metadata(w, '', [['/shared/comment', Buffer.from('Shared comment')]]);
    misc.id(w, [['name', 'Mailstead']]);
    misc.id(w, null);
    assert.equal(
      text(w),
      '* ACL INBOX Fred rwipslxetad\r\n* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n* MYRIGHTS INBOX rwiptsldaex\r\n' +
        '* QUOTA "" (STORAGE 10 512)\r\n* QUOTAROOT INBOX ""\r\n* METADATA "" (/shared/comment "Shared comment")\r\n' +
        '* ID ("name" "Mailstead")\r\n* ID NIL\r\n',
    );
  });

  it('writes FETCH items', () => {
    const w = new ResponseWriter();
    fetch(w, 12, [
      { item: 'FLAGS', flags: ['\\Seen'] },
      { item: 'INTERNALDATE', date: new Date('1996-07-17T09:44:25Z'), offsetMinutes: -420 },
      { item: 'RFC822.SIZE', value: 4286 },
      { item: 'UID', value: 7 },
      { item: 'MODSEQ', value: 624140003 },
      { item: 'EMAILID', id: 'M6d99ac3275bb4e' },
      { item: 'THREADID', id: null },
      {
        item: 'BODY[]',
        section: { part: [], text: 'HEADER.FIELDS', fields: ['DATE'] },
        origin: 0,
        data: Buffer.from('Date: x\r\n\r\n'),
      },
      { item: 'BINARY.SIZE', part: [1], size: 10 },
      { item: 'RFC822.TEXT', data: null },
    ]);
    assert.equal(
      text(w),
      '* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 UID 7 MODSEQ (624140003) ' +
        'EMAILID (M6d99ac3275bb4e) THREADID NIL BODY[HEADER.FIELDS (DATE)]<0> {11}\r\nDate: x\r\n\r\n BINARY.SIZE[1] 10 RFC822.TEXT NIL)\r\n',
    );
    assert.equal(formatDateTime(new Date('2024-01-05T00:00:00Z')), ' 5-Jan-2024 00:00:00 +0000');
  });

  it('writes cached ENVELOPE and BODYSTRUCTURE bytes as they are', () => {
    const s = parseStructure(Buffer.from('Subject: caf\u00e9\r\n\r\nx'));
    const live = new ResponseWriter();
    fetch(live, 1, [
      { item: 'ENVELOPE', envelope: s.envelope },
      { item: 'BODYSTRUCTURE', body: s.body },
    ]);
    const cached = new ResponseWriter();
    fetch(cached, 1, [
      { item: 'ENVELOPE', encoded: encodeEnvelope(s.envelope) },
      { item: 'BODYSTRUCTURE', encoded: encodeBodyStructure(s.body, true) },
    ]);
    assert.deepEqual(cached.take(), live.take());
  });

  // A guard against accidental quadratic work, with room for a loaded CI machine.
  it('serialises FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE) of 100 000 messages', () => {
    const s = parseStructure(
      Buffer.from(
        'From: A <a@b.c>\r\nTo: d@e.f\r\nSubject: hello "world"\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n',
      ),
    );
    const flags = ['\\Seen', '$Label1'];
    const date = new Date();
    const w = new ResponseWriter();
    const start = performance.now();
    let bytes = 0;
    for (let i = 1; i <= 100_000; i++) {
      fetch(w, i, [
        { item: 'UID', value: i + 1000 },
        { item: 'FLAGS', flags },
        { item: 'INTERNALDATE', date },
        { item: 'RFC822.SIZE', value: s.size },
        { item: 'ENVELOPE', envelope: s.envelope },
        { item: 'BODYSTRUCTURE', body: s.body },
      ]);
      if (w.length > 256 * 1024) bytes += w.take().length;
    }
    bytes += w.take().length;
    const ms = performance.now() - start;
    assert.ok(bytes > 100_000 * 200);
    assert.ok(ms < 6000, `took ${ms.toFixed(0)} ms`);
  });
});
