import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapClient, imapFixture, message, tagless, type ImapFixture } from './fixture.js';

describe('imap APPEND, FETCH, STORE, SEARCH, COPY, MOVE, EXPUNGE', () => {
  let f: ImapFixture;
  let c: ImapClient;
  before(async () => {
    f = await imapFixture(0);
    for (let i = 1; i <= 5; i++)
      await f.deliver(
        f.accounts.alice,
        message(i, i === 3 ? 'In-Reply-To: <m1@example.org>\r\nReferences: <m1@example.org>\r\n' : ''),
      );
    c = await ImapClient.login(f.port);
  });
  after(async () => {
    c.close();
    await f.close();
  });

  it('APPEND: bad input first', async () => {
    assert.match(await c.status('APPEND'), /^BAD Missing mailbox name/);
    assert.match(await c.status('APPEND INBOX'), /^BAD /);
    assert.match(await c.status('APPEND INBOX (\\Seen'), /^BAD /);
    assert.match(await c.status('APPEND INBOX "not a date" {3+}\r\nabc'), /^BAD Invalid date-time/);
    assert.equal(await c.status('APPEND Nowhere {3+}\r\nabc'), 'NO [TRYCREATE] folder Nowhere not found');
    assert.match(await c.status('APPEND "&Jjo" {3+}\r\nabc'), /^BAD /);
  });

  it('APPEND with flags and date; APPENDUID; a large literal is streamed', async () => {
    const draft = 'Subject: draft\r\nFrom: a@example.test\r\n\r\nhello\r\n';
    c.write(`a1 APPEND Drafts (\\Draft \\Seen) "05-Jan-2024 10:00:00 +0100" {${draft.length}}\r\n`);
    assert.equal(await c.waitFor(/\r\n/), '+ Ready for literal data\r\n');
    c.write(draft + '\r\n');
    assert.match(await c.waitFor(/a1 [^\r]*\r\n/), /^a1 OK \[APPENDUID \d+ 1\] APPEND completed\r\n$/);
    const big = 'Subject: big\r\n\r\n' + 'x'.repeat(998) + '\r\n';
    const body = big.repeat(600);
    assert.match(await c.status(`APPEND Drafts {${body.length}+}\r\n${body}`), /^OK \[APPENDUID \d+ 2\]/);
    await c.cmd('EXAMINE Drafts');
    assert.deepEqual(tagless(await c.cmd('FETCH 1:2 (FLAGS INTERNALDATE RFC822.SIZE)')), [
      '* 1 FETCH (FLAGS (\\Seen \\Draft \\Recent) INTERNALDATE " 5-Jan-2024 09:00:00 +0000" RFC822.SIZE 47)',
      `* 2 FETCH (FLAGS (\\Recent) INTERNALDATE ${/INTERNALDATE ("[^"]+")/.exec((await c.cmd('FETCH 2 INTERNALDATE'))[0]!)![1]} RFC822.SIZE ${body.length})`,
      'OK FETCH completed',
    ]);
  });

  it('MULTIAPPEND: several messages in one command, one of them streamed; all of them or none', async () => {
    assert.ok((await c.cmd('CAPABILITY'))[0]!.split(' ').includes('MULTIAPPEND'));
    await c.cmd('CREATE Multi');
    const big = `Subject: big\r\n\r\n${'x'.repeat(300 * 1024)}\r\n`;
    assert.match(
      await c.status(`APPEND Multi (\\Seen) {7+}\r\nSmall 1 (\\Flagged) {${big.length}+}\r\n${big}`),
      /^OK \[APPENDUID \d+ 1:2\] APPEND completed$/,
    );
    await c.cmd('EXAMINE Multi');
    assert.deepEqual(tagless(await c.cmd('FETCH 1:* (FLAGS RFC822.SIZE)')), [
      '* 1 FETCH (FLAGS (\\Seen \\Recent) RFC822.SIZE 7)',
      `* 2 FETCH (FLAGS (\\Flagged \\Recent) RFC822.SIZE ${big.length})`,
      'OK FETCH completed',
    ]);
    await c.cmd('UNSELECT');
    // The second message does not fit: the first is not stored either.
    assert.equal(await c.status('SETQUOTA Multi (MESSAGE 3)'), 'OK SETQUOTA completed');
    assert.match(await c.status('APPEND Multi {3+}\r\nabc {3+}\r\ndef'), /^NO /);
    assert.match((await c.cmd('STATUS Multi (MESSAGES)'))[0]!, /\(MESSAGES 2\)/);
    assert.match(await c.status('APPEND Multi {3+}\r\nabc'), /^OK \[APPENDUID \d+ 3\]/);
  });

  it('FETCH: envelope, body structure, sections, partial, BINARY, OBJECTID', async () => {
    await c.cmd('SELECT INBOX');
    const r = tagless(
      await c.cmd(
        'FETCH 1 (UID ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[TEXT]<0.4> BINARY.PEEK[1] BINARY.SIZE[1])',
      ),
    );
    assert.equal(
      r.join('\n'),
      [
        '* 1 FETCH (UID 1 ENVELOPE ("Mon, 02 Jan 2024 10:00:00 +0000" "message 1" (("Sender 1" NIL "s1" "example.org")) (("Sender 1" NIL "s1" "example.org")) (("Sender 1" NIL "s1" "example.org")) ((NIL NIL "alice" "example.test")) NIL NIL NIL "<m1@example.org>") BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 26 2 NIL NIL NIL NIL) BODY[HEADER.FIELDS (SUBJECT)] {22}',
        'Subject: message 1',
        ' BODY[TEXT]<0> {4}',
        'Body BINARY[1] {26}',
        'Body of message 1',
        'word1',
        ' BINARY.SIZE[1] 26)',
        'OK FETCH completed',
      ].join('\n'),
    );
    // ENVELOPE with only what the view holds goes through the shared cache: the same bytes
    // whether encoded now or taken from the cache, and in the order asked for.
    const envelope1 = /ENVELOPE (\(.*\)) BODYSTRUCTURE/.exec(r[0]!)![1]!;
    for (let round = 0; round < 2; round++)
      assert.deepEqual(tagless(await c.cmd('FETCH 1:2 (FLAGS ENVELOPE UID)')), [
        `* 1 FETCH (FLAGS (\\Recent) ENVELOPE ${envelope1} UID 1)`,
        `* 2 FETCH (FLAGS (\\Recent) ENVELOPE ${envelope1.replaceAll('1', '2').replace('02 Jan 2024 20:00', '03 Jan 2024 10:00')} UID 2)`,
        'OK FETCH completed',
      ]);
    const ids = (await c.cmd('FETCH 1 (EMAILID THREADID)'))[0]!;
    assert.match(ids, /^\* 1 FETCH \(EMAILID \(M\d+\) THREADID \(T\d+\)\)$/);
    assert.deepEqual(tagless(await c.cmd('FETCH 1 FLAGS')), [
      '* 1 FETCH (FLAGS (\\Recent))',
      'OK FETCH completed',
    ]);
    const seen = tagless(await c.cmd('FETCH 1 BODY[TEXT]'));
    assert.equal(seen.at(-2), ' FLAGS (\\Seen \\Recent))');
    assert.match(await c.status('FETCH 1 (BODY[HEADER.FIELDS Subject])'), /^BAD /);
    assert.match(await c.status('FETCH 1 (NOTANITEM)'), /^BAD /);
  });

  it('STORE: +FLAGS, -FLAGS, FLAGS.SILENT, keywords, UNCHANGEDSINCE', async () => {
    assert.deepEqual(tagless(await c.cmd('STORE 2:3 +FLAGS ($Work \\Flagged)')), [
      '* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent $Work))',
      '* 3 FETCH (UID 3 FLAGS (\\Flagged \\Recent $Work))',
      'OK STORE completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('STORE 2 -FLAGS ($Work)')), [
      '* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))',
      'OK STORE completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('UID STORE 2 FLAGS.SILENT (\\Answered)')), ['OK STORE completed']);
    assert.match(await c.status('STORE 1 +FLAGS (bad"keyword)'), /^BAD /);
    const modseq = Number(/MODSEQ \((\d+)\)/.exec((await c.cmd('FETCH 2 (MODSEQ)'))[0]!)![1]);
    assert.deepEqual(
      tagless(await c.cmd(`STORE 2,4 (UNCHANGEDSINCE ${modseq - 1}) +FLAGS (\\Seen)`)).at(-1),
      'OK [MODIFIED 2] Some messages were modified meanwhile',
    );
  });

  it('SEARCH: classic, ESEARCH, SEARCHRES, body through the full-text index, bad input', async () => {
    assert.deepEqual(tagless(await c.cmd('SEARCH SUBJECT "message 3"')), [
      '* SEARCH 3',
      'OK SEARCH completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('SEARCH BODY word4')), ['* SEARCH 4', 'OK SEARCH completed']);
    assert.deepEqual(tagless(await c.cmd('UID SEARCH OR FLAGGED SEEN')), [
      '* SEARCH 1 3 4',
      'OK SEARCH completed',
    ]);
    const es = await c.cmd('SEARCH RETURN (MIN MAX COUNT ALL) UNFLAGGED');
    assert.match(es[0]!, /^\* ESEARCH \(TAG "t\d+"\) MIN 1 MAX 5 ALL 1:2,4:5 COUNT 4$/);
    assert.deepEqual(tagless(await c.cmd('SEARCH RETURN (SAVE) FLAGGED')), ['OK SEARCH completed']);
    assert.deepEqual(tagless(await c.cmd('FETCH $ (UID)')), ['* 3 FETCH (UID 3)', 'OK FETCH completed']);
    assert.deepEqual(tagless(await c.cmd('SEARCH CHARSET UTF-8 TEXT "Body of"')), [
      '* SEARCH 1 2 3 4 5',
      'OK SEARCH completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('SEARCH 2:3 NOT SEEN')), ['* SEARCH 2 3', 'OK SEARCH completed']);
    assert.match(await c.status('SEARCH CHARSET KOI8-X ALL'), /^NO \[BADCHARSET/);
    assert.match(await c.status('SEARCH FROBNICATE'), /^BAD Unknown search key/);
    assert.match(await c.status('SEARCH BEFORE 32-Jan-2024'), /^BAD Invalid date/);
  });

  it('SORT and THREAD', async () => {
    assert.deepEqual(tagless(await c.cmd('SORT (REVERSE ARRIVAL) UTF-8 ALL')), [
      '* SORT 5 4 3 2 1',
      'OK SORT completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('SORT (DATE) UTF-8 ALL')), [
      '* SORT 1 2 3 4 5',
      'OK SORT completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('THREAD REFERENCES UTF-8 ALL')), [
      '* THREAD (1 3)(2)(4)(5)',
      'OK THREAD completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('THREAD ORDEREDSUBJECT UTF-8 ALL')), [
      '* THREAD (1)(2)(3)(4)(5)',
      'OK THREAD completed',
    ]);
    assert.match(await c.status('SORT (NOSUCH) UTF-8 ALL'), /^BAD /);
  });

  it('COPY, MOVE and UID EXPUNGE with UIDPLUS codes', async () => {
    await c.cmd('CREATE Archive/2024');
    assert.match(await c.status('COPY 1:2 Archive/2024'), /^OK \[COPYUID \d+ 1:2 1:2\] COPY completed$/);
    const move = tagless(await c.cmd('UID MOVE 5 Archive/2024'));
    assert.match(move[0]!, /^\* OK \[COPYUID \d+ 5 3\] Moved$/);
    assert.deepEqual(move.slice(1), ['* 5 EXPUNGE', 'OK MOVE completed']);
    assert.equal(await c.status('COPY 1 Nowhere'), 'NO [TRYCREATE] folder Nowhere not found');
    await c.cmd('STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    const ex = tagless(await c.cmd('UID EXPUNGE 2'));
    assert.equal(ex[0], '* 2 EXPUNGE');
    assert.match(ex[1]!, /^OK \[HIGHESTMODSEQ \d+\] EXPUNGE completed$/);
    assert.deepEqual(tagless(await c.cmd('CLOSE')), ['OK CLOSE completed']);
    assert.deepEqual(tagless(await c.cmd('STATUS INBOX (MESSAGES)')), [
      '* STATUS INBOX (MESSAGES 2)',
      'OK STATUS completed',
    ]);
  });

  it('FETCH of a message over 1 MiB streams BODY[], RFC822 and BINARY[] with the other items in place', async () => {
    await c.cmd('CREATE Big');
    const line = 'y'.repeat(998) + '\r\n';
    const big = `Subject: big\r\nFrom: a@example.test\r\n\r\n${line.repeat(3000)}`;
    assert.match(await c.status(`APPEND Big {${big.length}+}\r\n${big}`), /^OK/);
    await c.cmd('SELECT Big');
    for (const [ask, label] of [
      ['UID BODY.PEEK[] RFC822.SIZE', 'BODY[]'],
      ['UID RFC822 RFC822.SIZE', 'RFC822'],
      ['UID BINARY.PEEK[] RFC822.SIZE', 'BINARY[]'],
    ] as const) {
      c.write(`b1 FETCH 1 (${ask})\r\n`);
      const r = await c.waitFor(/\r\nb1 OK[^\r]*\r\n$/, 20_000);
      const head = `* 1 FETCH (UID 1 ${label} ${label === 'BINARY[]' ? '~' : ''}{${big.length}}\r\n`;
      assert.equal(r.slice(0, head.length), head);
      assert.ok(r.slice(head.length, head.length + big.length) === big, `${label}: the message as stored`);
      const rest = r.slice(head.length + big.length);
      // RFC822 sets \Seen (and says so); the PEEK forms do not.
      assert.match(
        rest,
        new RegExp(
          `^ RFC822\\.SIZE ${big.length}${label === 'RFC822' ? ' FLAGS \\(\\\\Seen \\\\Recent\\)' : ''}\\)\\r\\nb1 OK`,
        ),
      );
    }
  });
  it('FETCH ENVELOPE is sent as encoded at delivery, without the parsed form; older bodies use the parsed form', async () => {
    await c.cmd('CREATE Stored');
    for (const i of [41, 42]) await f.deliver(f.accounts.alice, message(i), 'Stored');
    const db = f.server.app.store.db;
    const bodyOf = async (subject: string) =>
      Number(
        (await db.get<{ id: number }>('SELECT id FROM mailbox_bodies WHERE subject = ?', [subject]))!.id,
      );
    // Neither has been fetched, so the envelope cache holds neither. Without its parsed envelope,
    // 41 can only be answered from the stored encoding; 42 stands for a body stored before the
    // encoding was kept.
    await db.run('UPDATE mailbox_bodies SET envelope = NULL WHERE id = ?', [await bodyOf('message 41')]);
    await db.run('UPDATE mailbox_bodies SET envelope_wire = NULL WHERE id = ?', [await bodyOf('message 42')]);
    await c.cmd('EXAMINE Stored');
    const envelope = (i: number) =>
      `("Mon, ${String((i % 27) + 1).padStart(2, '0')} Jan 2024 10:00:00 +0000" "message ${i}" (("Sender ${i}" NIL "s${i}" "example.org")) (("Sender ${i}" NIL "s${i}" "example.org")) (("Sender ${i}" NIL "s${i}" "example.org")) ((NIL NIL "alice" "example.test")) NIL NIL NIL "<m${i}@example.org>")`;
    assert.deepEqual(tagless(await c.cmd('FETCH 1:2 (UID ENVELOPE)')), [
      `* 1 FETCH (UID 1 ENVELOPE ${envelope(41)})`,
      `* 2 FETCH (UID 2 ENVELOPE ${envelope(42)})`,
      'OK FETCH completed',
    ]);
    await c.cmd('UNSELECT');
  });
});
