import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapClient, imapFixture, tagless, type ImapFixture } from './fixture.js';

describe('imap folders: CREATE, DELETE, RENAME, SUBSCRIBE, LIST, STATUS, NAMESPACE', () => {
  let f: ImapFixture;
  let c: ImapClient;
  before(async () => {
    f = await imapFixture(2);
    c = await ImapClient.login(f.port);
  });
  after(async () => {
    c.close();
    await f.close();
  });

  it('bad input first: missing names, invalid modified UTF-7 and UTF-8, wildcards, duplicates', async () => {
    assert.match(await c.status('CREATE'), /^BAD Missing mailbox name/);
    assert.match(await c.status('CREATE "&Jjo"'), /^BAD /);
    assert.match(await c.status('CREATE {2+}\r\n\xff\xfe'), /^BAD /);
    assert.match(await c.status('CREATE "a*b"'), /^NO \[CANNOT\]/);
    assert.match(await c.status('CREATE INBOX'), /^NO \[ALREADYEXISTS\]/);
    assert.match(await c.status('DELETE INBOX'), /^NO \[CANNOT\]/);
    assert.match(await c.status('DELETE Nothing'), /^NO \[NONEXISTENT\]/);
    assert.match(await c.status('RENAME Nothing Other'), /^NO \[NONEXISTENT\]/);
    assert.match(await c.status('STATUS INBOX (BOGUS)'), /^BAD /);
    assert.match(await c.status('CREATE X (USE (\\Nonsense))'), /^NO \[USEATTR\]/);
  });

  it('CREATE with a hierarchy and special use; LIST shows children and attributes', async () => {
    assert.match(await c.status('CREATE Projects/2024/Q1'), /^OK \[MAILBOXID \(F\d+\)\] CREATE completed$/);
    assert.match(await c.status('CREATE "Caf&AOk-" (USE (\\Flagged))'), /^OK /);
    assert.deepEqual(tagless(await c.cmd('LIST "" Projects/%')), [
      '* LIST (\\Noselect \\HasChildren) "/" Projects/2024',
      'OK LIST completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('LIST Projects/ *')), [
      '* LIST (\\Noselect \\HasChildren) "/" Projects/2024',
      '* LIST (\\HasNoChildren) "/" Projects/2024/Q1',
      'OK LIST completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('LIST "" Caf*')), [
      '* LIST (\\HasNoChildren \\Flagged) "/" Caf&AOk-',
      'OK LIST completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('LIST (SPECIAL-USE) "" *')).length, 7);
    assert.deepEqual(tagless(await c.cmd('LIST "" ""')), ['* LIST (\\Noselect) "/" ""', 'OK LIST completed']);
    assert.deepEqual(tagless(await c.cmd('LIST "" inbox')), [
      '* LIST (\\HasNoChildren) "/" INBOX',
      'OK LIST completed',
    ]);
  });

  it('UTF8=ACCEPT: names go in and out as UTF-8', async () => {
    const u = await ImapClient.login(f.port, { user: 'bob@example.test', pass: 'pw-bob-1234567' });
    assert.deepEqual(tagless(await u.cmd('ENABLE UTF8=ACCEPT')), [
      '* ENABLED UTF8=ACCEPT',
      'OK ENABLE completed',
    ]);
    assert.match(await u.status('CREATE "Café"'), /^OK /);
    assert.deepEqual(tagless(await u.cmd('LIST "" Caf*')), [
      '* LIST (\\HasNoChildren) "/" "Café"',
      'OK LIST completed',
    ]);
    u.close();
  });

  it('SUBSCRIBE, LSUB, LIST (SUBSCRIBED) with RECURSIVEMATCH, RETURN (STATUS)', async () => {
    assert.equal(await c.status('SUBSCRIBE Projects/2024/Q1'), 'OK SUBSCRIBE completed');
    assert.deepEqual(tagless(await c.cmd('LSUB "" *')), [
      '* LSUB () "/" Projects/2024/Q1',
      'OK LSUB completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" %')), [
      '* LIST (\\Noselect \\HasChildren) "/" Projects ("CHILDINFO" ("SUBSCRIBED"))',
      'OK LIST completed',
    ]);
    assert.deepEqual(
      tagless(await c.cmd('LIST "" INBOX RETURN (SUBSCRIBED CHILDREN STATUS (MESSAGES UNSEEN SIZE))')).slice(
        1,
      ),
      [
        '* STATUS INBOX (MESSAGES 2 UNSEEN 2 SIZE ' +
          /SIZE (\d+)/.exec((await c.cmd('STATUS INBOX (SIZE)'))[0]!)![1] +
          ')',
        'OK LIST completed',
      ],
    );
    assert.equal(await c.status('UNSUBSCRIBE Projects/2024/Q1'), 'OK UNSUBSCRIBE completed');
    assert.deepEqual(tagless(await c.cmd('LSUB "" *')), ['OK LSUB completed']);
  });

  it('RENAME moves the subtree; DELETE removes a folder; STATUS counts', async () => {
    await c.cmd('CREATE Projects/2024/Q1/Week1');
    assert.equal(await c.status('RENAME Projects/2024/Q1 Work/Q1'), 'OK RENAME completed');
    assert.deepEqual(tagless(await c.cmd('LIST "" Work/*')), [
      '* LIST (\\HasChildren) "/" Work/Q1',
      '* LIST (\\HasNoChildren) "/" Work/Q1/Week1',
      'OK LIST completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('LIST "" Projects/*')), ['OK LIST completed']);
    assert.equal(await c.status('DELETE Work/Q1/Week1'), 'OK DELETE completed');
    assert.equal(await c.status('DELETE Work/Q1'), 'OK DELETE completed');
    assert.deepEqual(tagless(await c.cmd('LIST "" Work/*')), ['OK LIST completed']);
    const st = tagless(await c.cmd('STATUS INBOX (MESSAGES UIDNEXT UNSEEN DELETED RECENT APPENDLIMIT)'));
    assert.equal(
      st[0],
      '* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UNSEEN 2 DELETED 0 RECENT 2 APPENDLIMIT 52428800)',
    );
  });

  it('an empty folder: FETCH 1:* and SEARCH answer OK with nothing, 1 is an invalid number', async () => {
    const sel = tagless(await c.cmd('SELECT Trash'));
    assert.ok(sel.includes('* 0 EXISTS'));
    assert.deepEqual(tagless(await c.cmd('FETCH 1:* (FLAGS)')), ['OK FETCH completed']);
    assert.deepEqual(tagless(await c.cmd('SEARCH ALL')), ['* SEARCH', 'OK SEARCH completed']);
    assert.equal(await c.status('UNSELECT'), 'OK UNSELECT completed');
  });

  it('NAMESPACE, ID, CAPABILITY after login', async () => {
    assert.deepEqual(tagless(await c.cmd('NAMESPACE')), [
      '* NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared/" "/"))',
      'OK NAMESPACE completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('ID ("name" "test")')), [
      '* ID ("name" "Mailstead" "vendor" "Mailstead")',
      'OK ID completed',
    ]);
    const caps = (await c.cmd('CAPABILITY'))[0]!;
    assert.doesNotMatch(caps, /STARTTLS|AUTH=|LOGINDISABLED/);
    assert.match(caps, / COMPRESS=DEFLATE$/);
  });

  it('QUOTA and METADATA', async () => {
    assert.deepEqual(tagless(await c.cmd('GETQUOTAROOT INBOX')).slice(0, 1), ['* QUOTAROOT INBOX ""']);
    assert.match(await c.status('SETQUOTA "" (STORAGE 100)'), /^NO \[NOPERM\]/);
    assert.equal(await c.status('SETQUOTA Drafts (MESSAGE 5)'), 'OK SETQUOTA completed');
    assert.deepEqual(tagless(await c.cmd('GETQUOTA Drafts')), [
      '* QUOTA Drafts (MESSAGE 0 5)',
      'OK GETQUOTA completed',
    ]);
    assert.equal(
      await c.status('SETMETADATA INBOX (/private/comment "my inbox")'),
      'OK SETMETADATA completed',
    );
    assert.deepEqual(tagless(await c.cmd('GETMETADATA INBOX /private/comment')), [
      '* METADATA INBOX (/private/comment "my inbox")',
      'OK GETMETADATA completed',
    ]);
    assert.deepEqual(tagless(await c.cmd('GETMETADATA (MAXSIZE 3) INBOX /private/comment')), [
      'OK [METADATA LONGENTRIES 8] GETMETADATA completed',
    ]);
    assert.match(await c.status('SETMETADATA INBOX (/bogus "x")'), /^BAD /);
  });

  it('COMPRESS=DEFLATE: the session continues compressed', async () => {
    const { createDeflateRaw, createInflateRaw, constants } = await import('node:zlib');
    const z = await ImapClient.login(f.port);
    assert.equal(await z.status('COMPRESS DEFLATE'), 'OK DEFLATE active');
    const deflate = createDeflateRaw();
    const inflate = createInflateRaw();
    let out = '';
    z.socket.removeAllListeners('data');
    z.socket.on('data', (d: Buffer) => inflate.write(d));
    inflate.on('data', (d: Buffer) => (out += d.toString()));
    deflate.on('data', (d: Buffer) => z.socket.write(d));
    deflate.write('c1 NOOP\r\nc2 COMPRESS DEFLATE\r\n');
    deflate.flush(constants.Z_SYNC_FLUSH);
    const deadline = Date.now() + 3000;
    while (!/c2 /.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(out, 'c1 OK NOOP completed\r\nc2 NO [COMPRESSIONACTIVE] Compression is already active\r\n');
    z.close();
  });
});
