import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapParseError, UnknownCommandError } from '../errors.js';
import { CommandReceiver } from '../receiver.js';
import { decodeSaslResponse } from './authenticate.js';
import { type ImapCommand, parseCommand } from './index.js';

/** Runs wire text (literals included) through the receiver and the parser. */
export function parse(text: string, utf8 = false): ImapCommand {
  const events = new CommandReceiver().feed(Buffer.from(text.endsWith('\n') ? text : text + '\r\n', 'utf8'));
  const cmd = events.find((e) => e.type === 'command');
  const err = events.find((e) => e.type === 'error');
  if (err?.type === 'error') throw err.error;
  assert.ok(cmd?.type === 'command', 'no command received');
  return parseCommand(cmd.command, { utf8 });
}

function bad(text: string, utf8 = false): ImapParseError {
  try {
    parse(text, utf8);
  } catch (e) {
    assert.ok(e instanceof ImapParseError, String(e));
    return e;
  }
  assert.fail(`accepted: ${text}`);
}

describe('parseCommand: bad input', () => {
  const cases = [
    'a1 NOOP extra',
    'a1 LOGIN fred',
    'a1 LOGIN',
    'a1 SELECT',
    'a1 SELECT INBOX (CONDSTORE',
    'a1 SELECT INBOX (FOO)',
    'a1 SELECT INBOX (QRESYNC (0 1))',
    'a1 CREATE ""',
    'a1 CREATE a (USE (Drafts))',
    'a1 RENAME a',
    'a1 DELETE &Jjo',
    'a1 LIST (RECURSIVEMATCH) "" *',
    'a1 LIST "" * RETURN (FOO)',
    'a1 LIST "" (',
    'a1 STATUS INBOX (MESSAGES FOO)',
    'a1 STATUS INBOX ()',
    'a1 STATUS INBOX MESSAGES',
    'a1 APPEND INBOX',
    'a1 APPEND INBOX (\\Seen) "x"',
    'a1 APPEND INBOX "32-Jan-2020 00:00:00 +0000" {1}\r\nx',
    'a1 APPEND INBOX ((\\Seen) {1}\r\nx',
    'a1 STORE 1 FLAGS',
    'a1 STORE 1 XFLAGS (\\Seen)',
    'a1 STORE 0 +FLAGS (\\Seen)',
    'a1 STORE 1 +FLAGS (\\Seen',
    'a1 STORE 1 (UNCHANGEDSINCE x) FLAGS ()',
    'a1 COPY 1:2',
    'a1 MOVE 4294967296 x',
    'a1 EXPUNGE 1',
    'a1 UID EXPUNGE',
    'a1 UID LOGIN a b',
    'a1 ENABLE',
    'a1 AUTHENTICATE',
    'a1 AUTHENTICATE PLAIN ***',
    'a1 AUTHENTICATE PLAIN AGZyZWQ',
    'a1 SORT (FOO) UTF-8 ALL',
    'a1 SORT () UTF-8 ALL',
    'a1 SORT (DATE) UTF-8',
    'a1 THREAD FOO UTF-8 ALL',
    'a1 SETACL INBOX fred +x!',
    'a1 GETACL',
    'a1 SETQUOTA "" (STORAGE x)',
    'a1 SETQUOTA "" (STORAGE 1 STORAGE 2)',
    'a1 ID (',
    'a1 ID ("a")',
    'a1 ID FOO',
    'a1 GETMETADATA INBOX /foo',
    'a1 GETMETADATA (DEPTH 2) INBOX /private/a',
    'a1 SETMETADATA INBOX ()',
    'a1 COMPRESS',
    'a1 IDLE now',
  ];
  for (const c of cases) {
    it(`refuses ${JSON.stringify(c)}`, () => {
      const e = bad(c);
      assert.equal(e.tag, 'a1');
      assert.ok(!(e instanceof UnknownCommandError));
    });
  }

  it('marks unknown commands apart', () => {
    assert.ok(bad('a1 XYZZY') instanceof UnknownCommandError);
    assert.ok(bad('a1 UID XYZZY 1') instanceof UnknownCommandError);
  });

  it('refuses an unknown charset with NO [BADCHARSET]', () => {
    const e = bad('a1 SEARCH CHARSET X-NOPE FROM x');
    assert.equal(e.status, 'NO');
    assert.match(e.code ?? '', /^BADCHARSET/);
  });

  it('refuses invalid UTF-8 names under UTF8=ACCEPT', () => {
    const events = new CommandReceiver().feed(
      Buffer.from([...Buffer.from('a1 CREATE "a'), 0xff, 0x22, 13, 10]),
    );
    const cmd = events[0]!;
    assert.ok(cmd.type === 'command');
    assert.throws(() => parseCommand(cmd.command, { utf8: true }), ImapParseError);
  });
});

describe('parseCommand', () => {
  it('reads commands without arguments', () => {
    for (const n of [
      'CAPABILITY',
      'NOOP',
      'LOGOUT',
      'STARTTLS',
      'CHECK',
      'CLOSE',
      'UNSELECT',
      'IDLE',
      'NAMESPACE',
    ]) {
      assert.deepEqual(parse(`a1 ${n.toLowerCase()}`), { name: n, tag: 'a1' });
    }
  });

  it('reads LOGIN (RFC 9051 6.2.3)', () => {
    assert.deepEqual(parse('a001 LOGIN SMITH SESAME'), {
      name: 'LOGIN',
      tag: 'a001',
      username: 'SMITH',
      password: 'SESAME',
    });
    assert.deepEqual(parse('A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n'), {
      name: 'LOGIN',
      tag: 'A001',
      username: 'FRED FOOBAR',
      password: 'fat man',
    });
  });

  it('reads AUTHENTICATE with and without SASL-IR', () => {
    assert.deepEqual(parse('a1 AUTHENTICATE GSSAPI'), {
      name: 'AUTHENTICATE',
      tag: 'a1',
      mechanism: 'GSSAPI',
      initialResponse: undefined,
    });
    const c = parse('a1 authenticate plain AGZyZWQAc2VjcmV0');
    assert.ok(c.name === 'AUTHENTICATE' && c.initialResponse?.toString() === '\0fred\0secret');
    const e = parse('a1 AUTHENTICATE EXTERNAL =');
    assert.ok(e.name === 'AUTHENTICATE' && e.initialResponse?.length === 0);
    assert.equal(decodeSaslResponse(Buffer.from('*')), null);
  });

  it('reads ENABLE', () => {
    assert.deepEqual(parse('t2 ENABLE CONDSTORE utf8=accept'), {
      name: 'ENABLE',
      tag: 't2',
      capabilities: ['CONDSTORE', 'UTF8=ACCEPT'],
    });
  });

  it('reads SELECT with CONDSTORE and QRESYNC (RFC 7162)', () => {
    assert.deepEqual(parse('A142 SELECT inbox'), {
      name: 'SELECT',
      tag: 'A142',
      mailbox: 'INBOX',
      condstore: false,
      qresync: undefined,
    });
    const c = parse('A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541 (1:3 41:43)))');
    assert.deepEqual(c, {
      name: 'SELECT',
      tag: 'A02',
      mailbox: 'INBOX',
      condstore: false,
      qresync: {
        uidValidity: 67890007,
        modseq: Number.MAX_SAFE_INTEGER,
        knownUids: {
          saved: false,
          ranges: [
            [41, 41],
            [43, 211],
            [214, 541],
          ],
        },
        seqMatch: {
          sequences: { saved: false, ranges: [[1, 3]] },
          uids: { saved: false, ranges: [[41, 43]] },
        },
      },
    });
    const e = parse('a EXAMINE "blurdybloop" (CONDSTORE)');
    assert.ok(e.name === 'EXAMINE' && e.condstore);
  });

  it('reads CREATE with USE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE', () => {
    assert.deepEqual(parse('t1 CREATE MySpecialArchive (USE (\\Archive))'), {
      name: 'CREATE',
      tag: 't1',
      mailbox: 'MySpecialArchive',
      specialUse: ['\\Archive'],
    });
    assert.deepEqual(parse('A003 CREATE owatagusiam/'), {
      name: 'CREATE',
      tag: 'A003',
      mailbox: 'owatagusiam/',
      specialUse: [],
    });
    assert.deepEqual(parse('A683 DELETE blurdybloop'), {
      name: 'DELETE',
      tag: 'A683',
      mailbox: 'blurdybloop',
    });
    assert.deepEqual(parse('A683 RENAME blurdybloop sarasoop'), {
      name: 'RENAME',
      tag: 'A683',
      from: 'blurdybloop',
      to: 'sarasoop',
    });
    assert.deepEqual(parse('A002 SUBSCRIBE #news.comp.mail.mime'), {
      name: 'SUBSCRIBE',
      tag: 'A002',
      mailbox: '#news.comp.mail.mime',
    });
    assert.deepEqual(parse('A002 UNSUBSCRIBE "~peter/mail/&U,BTFw-/&ZeVnLIqe-"'), {
      name: 'UNSUBSCRIBE',
      tag: 'A002',
      mailbox: '~peter/mail/台北/日本語',
    });
    assert.deepEqual(parse('A1 CREATE "台北"', true), {
      name: 'CREATE',
      tag: 'A1',
      mailbox: '台北',
      specialUse: [],
    });
  });

  it('reads LIST, LIST-EXTENDED and LSUB (RFC 9051, 5258, 5819, 6154)', () => {
    assert.deepEqual(parse('A101 LIST "" ""'), {
      name: 'LIST',
      tag: 'A101',
      reference: '',
      patterns: [''],
      selection: [],
      returnOptions: {
        subscribed: false,
        children: false,
        specialUse: false,
        myRights: false,
        status: undefined,
      },
      extended: false,
    });
    const c = parse(
      'A04 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("%" "Drafts/*") RETURN (CHILDREN STATUS (MESSAGES UNSEEN) SPECIAL-USE)',
    );
    assert.ok(c.name === 'LIST');
    assert.deepEqual(c.selection, ['SUBSCRIBED', 'RECURSIVEMATCH']);
    assert.deepEqual(c.patterns, ['%', 'Drafts/*']);
    assert.deepEqual(c.returnOptions, {
      subscribed: true,
      children: true,
      specialUse: true,
      myRights: false,
      status: ['MESSAGES', 'UNSEEN'],
    });
    assert.ok(c.extended);
    const l = parse('A002 LIST ~/Mail/ %');
    assert.ok(l.name === 'LIST' && l.reference === '~/Mail/' && l.patterns[0] === '%');
    assert.deepEqual(parse('A002 LSUB "#news." "comp.mail.*"'), {
      name: 'LSUB',
      tag: 'A002',
      reference: '#news.',
      pattern: 'comp.mail.*',
    });
  });

  it('reads STATUS with every item', () => {
    const c = parse(
      'A042 STATUS blurdybloop (UIDNEXT MESSAGES UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT MAILBOXID UIDVALIDITY)',
    );
    assert.ok(c.name === 'STATUS' && c.items.length === 10);
  });

  it('reads APPEND, MULTIAPPEND, literal8 and UTF8 (RFC 9051 6.3.12, 3502, 6855)', () => {
    const msg = 'Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nSubject: afternoon meeting\r\n\r\nHello Joe\r\n';
    const c = parse(`A003 APPEND saved-messages (\\Seen) {${msg.length}}\r\n${msg}\r\n`);
    assert.ok(c.name === 'APPEND');
    assert.equal(c.mailbox, 'saved-messages');
    assert.deepEqual(c.messages[0]!.flags, ['\\Seen']);
    assert.equal(c.messages[0]!.source.toString(), msg);
    const m = parse(
      'A1 APPEND x (\\seen $Junk) " 7-Feb-1994 21:52:25 -0800" {1+}\r\na "7-Feb-1994 21:52:25 +0100" ~{1+}\r\nb UTF8 (~{1+}\r\nc)\r\n',
    );
    assert.ok(m.name === 'APPEND' && m.messages.length === 3);
    assert.deepEqual(m.messages[0]!.flags, ['\\Seen', '$Junk']);
    assert.equal(m.messages[0]!.internalDate?.toISOString(), '1994-02-08T05:52:25.000Z');
    assert.ok(m.messages[1]!.binary && !m.messages[1]!.utf8);
    assert.ok(m.messages[2]!.utf8);
  });

  it('reads CATENATE (RFC 4469 section 5), alone and with MULTIAPPEND', () => {
    const c = parse(
      'A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER" TEXT {42+}\r\n\r\n--------------030308070208000400050907\r\n URL "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME" URL "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1")\r\n',
    );
    assert.ok(c.name === 'APPEND' && c.messages.length === 1);
    const src = c.messages[0]!.source;
    assert.ok('catenate' in src);
    assert.deepEqual(
      src.catenate.map((p) => ('url' in p ? p.url : `TEXT ${p.text.toString()}`)),
      [
        '/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER',
        'TEXT \r\n--------------030308070208000400050907\r\n',
        '/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME',
        '/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1',
      ],
    );
    const multi = parse('A1 APPEND x {1+}\r\na CATENATE (TEXT {1+}\r\nb)\r\n');
    assert.ok(multi.name === 'APPEND' && multi.messages.length === 2);
    for (const bad of [
      'A1 APPEND x CATENATE ()',
      'A1 APPEND x CATENATE (TEXT "quoted")',
      'A1 APPEND x CATENATE (FILE "/etc/passwd")',
      'A1 APPEND x UTF8 (CATENATE (TEXT {1+}\r\nb))',
    ])
      assert.throws(() => parse(`${bad}\r\n`), ImapParseError, bad);
  });

  it('reads EXPUNGE and UID EXPUNGE', () => {
    assert.deepEqual(parse('A202 EXPUNGE'), {
      name: 'EXPUNGE',
      tag: 'A202',
      uid: false,
      sequence: undefined,
    });
    assert.deepEqual(parse('A003 UID EXPUNGE 3000:3002'), {
      name: 'EXPUNGE',
      tag: 'A003',
      uid: true,
      sequence: { saved: false, ranges: [[3000, 3002]] },
    });
  });

  it('reads STORE in all its forms (RFC 9051 6.4.6, 7162)', () => {
    assert.deepEqual(parse('A003 STORE 2:4 +FLAGS (\\Deleted)'), {
      name: 'STORE',
      tag: 'A003',
      uid: false,
      sequence: { saved: false, ranges: [[2, 4]] },
      operation: 'add',
      silent: false,
      flags: ['\\Deleted'],
      unchangedSince: undefined,
    });
    const c = parse('d105 UID STORE 7,5,9 (UNCHANGEDSINCE 320162338) -FLAGS.SILENT \\Seen $Work');
    assert.ok(
      c.name === 'STORE' && c.uid && c.silent && c.operation === 'remove' && c.unchangedSince === 320162338,
    );
    assert.deepEqual(c.flags, ['\\Seen', '$Work']);
    const s = parse('a STORE $ FLAGS ()');
    assert.ok(s.name === 'STORE' && s.sequence.saved && s.flags.length === 0 && s.operation === 'set');
  });

  it('reads COPY and MOVE', () => {
    assert.deepEqual(parse('A003 COPY 2:4 MEETING'), {
      name: 'COPY',
      tag: 'A003',
      uid: false,
      sequence: { saved: false, ranges: [[2, 4]] },
      mailbox: 'MEETING',
    });
    const m = parse('a UID MOVE 42:69 foo');
    assert.ok(m.name === 'MOVE' && m.uid);
  });

  it('reads SORT and THREAD (RFC 5256, 5267)', () => {
    const s = parse('A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL');
    assert.ok(s.name === 'SORT');
    assert.deepEqual(s.criteria, [
      { key: 'SUBJECT', reverse: false },
      { key: 'DATE', reverse: true },
    ]);
    assert.deepEqual(s.search, { op: 'all' });
    const u = parse('A285 UID SORT RETURN (MIN COUNT) (SUBJECT) UTF-8 SINCE 1-Feb-1994');
    assert.ok(u.name === 'SORT' && u.uid && u.returnOptions?.join() === 'MIN,COUNT');
    const t = parse('A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000');
    assert.deepEqual(t, {
      name: 'THREAD',
      tag: 'A283',
      uid: false,
      algorithm: 'ORDEREDSUBJECT',
      charset: 'UTF-8',
      search: { op: 'date', field: 'internal', cmp: 'since', date: '2000-03-05' },
    });
  });

  it('reads the ACL commands (RFC 4314)', () => {
    assert.deepEqual(parse('A002 SETACL INBOX/Drafts John lrswicda'), {
      name: 'SETACL',
      tag: 'A002',
      mailbox: 'INBOX/Drafts',
      identifier: 'John',
      mode: 'replace',
      rights: 'lrswicda',
    });
  });

  it('reads the other ACL commands', () => {
    assert.deepEqual(parse('A035 SETACL INBOX/Drafts Byron +w'), {
      name: 'SETACL',
      tag: 'A035',
      mailbox: 'INBOX/Drafts',
      identifier: 'Byron',
      mode: 'add',
      rights: 'w',
    });
    assert.deepEqual(parse('A003 GETACL INBOX/Drafts'), {
      name: 'GETACL',
      tag: 'A003',
      mailbox: 'INBOX/Drafts',
    });
    assert.deepEqual(parse('A001 DELETEACL INBOX/Drafts Byron'), {
      name: 'DELETEACL',
      tag: 'A001',
      mailbox: 'INBOX/Drafts',
      identifier: 'Byron',
    });
    assert.deepEqual(parse('a LISTRIGHTS ~/Mail/saved smith'), {
      name: 'LISTRIGHTS',
      tag: 'a',
      mailbox: '~/Mail/saved',
      identifier: 'smith',
    });
    assert.deepEqual(parse('A003 MYRIGHTS INBOX'), { name: 'MYRIGHTS', tag: 'A003', mailbox: 'INBOX' });
  });

  it('reads the QUOTA commands (RFC 9208)', () => {
    assert.deepEqual(parse('G0001 GETQUOTA "!partition/sda4"'), {
      name: 'GETQUOTA',
      tag: 'G0001',
      root: '!partition/sda4',
    });
    assert.deepEqual(parse('A003 GETQUOTAROOT INBOX'), {
      name: 'GETQUOTAROOT',
      tag: 'A003',
      mailbox: 'INBOX',
    });
    assert.deepEqual(parse('S0000 SETQUOTA "#user/alice" (storage 510)'), {
      name: 'SETQUOTA',
      tag: 'S0000',
      root: '#user/alice',
      limits: [{ resource: 'STORAGE', limit: 510 }],
    });
  });

  it('reads ID (RFC 2971)', () => {
    assert.deepEqual(parse('a023 ID ("name" "sodr" "version" "19.34" "vendor" NIL)'), {
      name: 'ID',
      tag: 'a023',
      params: [
        ['name', 'sodr'],
        ['version', '19.34'],
        ['vendor', null],
      ],
    });
    assert.deepEqual(parse('a ID NIL'), { name: 'ID', tag: 'a', params: null });
  });

  it('reads GETMETADATA and SETMETADATA (RFC 5464)', () => {
    assert.deepEqual(
      parse('a GETMETADATA (MAXSIZE 1024 DEPTH infinity) "" (/shared/comment /private/comment)'),
      {
        name: 'GETMETADATA',
        tag: 'a',
        mailbox: '',
        entries: ['/shared/comment', '/private/comment'],
        maxSize: 1024,
        depth: 'infinity',
      },
    );
    const s = parse('a SETMETADATA INBOX (/private/comment {10}\r\nMy comment /shared/x NIL)\r\n');
    assert.ok(s.name === 'SETMETADATA');
    assert.equal(s.values[0]!.value?.toString(), 'My comment');
    assert.equal(s.values[1]!.value, null);
  });

  it('reads COMPRESS (RFC 4978)', () => {
    assert.deepEqual(parse('a COMPRESS deflate'), { name: 'COMPRESS', tag: 'a', mechanism: 'DEFLATE' });
  });
});
