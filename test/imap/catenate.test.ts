import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, BOB, ImapClient, imapFixture, message, untagged, type ImapFixture } from './fixture.js';

/** BODY[] of the newest message in a folder, and how many the folder holds. */
async function newest(c: ImapClient, folder: string): Promise<{ count: number; body: string }> {
  const sel = await c.cmd(`EXAMINE ${folder}`);
  const count = Number(/\* (\d+) EXISTS/.exec(sel.join('\n'))![1]);
  if (!count) return { count, body: '' };
  // The raw response: the literal's empty lines matter.
  c.write(`n1 FETCH ${count} BODY.PEEK[]\r\n`);
  const r = await c.waitFor(/(^|\r\n)n1 OK[^\r]*\r\n/);
  const m = /BODY\[\] \{(\d+)\}\r\n/.exec(r)!;
  const from = m.index + m[0].length;
  return { count, body: r.slice(from, from + Number(m[1])) };
}

describe('imap CATENATE (RFC 4469)', () => {
  let f: ImapFixture;
  let c: ImapClient;
  let validity: string;
  before(async () => {
    f = await imapFixture(3, { 'mailbox.append_limit': '4096' });
    c = await ImapClient.login(f.port);
    validity = /UIDVALIDITY (\d+)/.exec((await c.cmd('STATUS INBOX (UIDVALIDITY)'))[0]!)![1]!;
  });
  after(async () => {
    c.close();
    await f.close();
  });

  it('is advertised; builds a message from URL parts and text, with sections and partial ranges', async () => {
    assert.ok((await c.cmd('CAPABILITY'))[0]!.split(' ').includes('CATENATE'));
    const text = '\r\nA new body, after the header of message 1.\r\n';
    const r = await c.status(
      `APPEND Drafts (\\Draft) CATENATE (URL "/INBOX;UIDVALIDITY=${validity}/;UID=1/;SECTION=HEADER" TEXT {${text.length}+}\r\n${text} URL "/INBOX/;UID=2/;SECTION=TEXT/;PARTIAL=0.4")`,
    );
    assert.match(r, /^OK \[APPENDUID \d+ 1\] APPEND completed$/);
    const header = message(1).slice(0, message(1).indexOf('\r\n\r\n') + 4);
    assert.deepEqual(await newest(c, 'Drafts'), { count: 1, body: `${header}${text}Body` });

    // An absolute URL of this server, with the user's own name in it.
    const host = f.server.app.config.get<string>('server.hostname');
    const abs = `imap://${encodeURIComponent(ALICE.user)}@${host}/INBOX/;UID=3`;
    assert.match(await c.status(`APPEND Drafts CATENATE (URL "${abs}")`), /^OK \[APPENDUID \d+ 2\]/);
    assert.deepEqual(await newest(c, 'Drafts'), { count: 2, body: message(3) });
  });

  it('with MULTIAPPEND: a CATENATE beside a plain literal, stored together', async () => {
    assert.match(
      await c.status(
        'APPEND Drafts {5+}\r\nplain CATENATE (TEXT {4+}\r\nmade URL "/INBOX/;UID=1/;SECTION=TEXT")',
      ),
      /^OK \[APPENDUID \d+ 3:4\]/,
    );
    assert.deepEqual(await newest(c, 'Drafts'), {
      count: 4,
      body: `made${message(1).slice(message(1).indexOf('\r\n\r\n') + 4)}`,
    });
  });

  it('refuses URLs the user may not read, or not of this server, with BADURL and stores nothing', async () => {
    const bobInbox = 'Other Users/bob@example.test/INBOX';
    await f.deliver(f.accounts.bob, message(50));
    const refused = [
      `/${encodeURIComponent(bobInbox)}/;UID=1`,
      `/INBOX;UIDVALIDITY=${Number(validity) + 1}/;UID=1`,
      '/INBOX/;UID=999',
      '/Nowhere/;UID=1',
      '/INBOX/;UID=1/;SECTION=7',
      'imap://mail.elsewhere.example/INBOX/;UID=1',
      `imap://${encodeURIComponent(BOB.user)}@localhost/INBOX/;UID=1`,
      'imap://localhost/INBOX/;UID=1;EXPIRE=2030-01-01T00:00:00Z;URLAUTH=anonymous:internal:0123',
      'INBOX/;UID=1',
    ];
    const before = (await newest(c, 'Drafts')).count;
    for (const url of refused) {
      const r = await c.status(`APPEND Drafts CATENATE (TEXT {2+}\r\nhi URL "${url}")`);
      assert.ok(r.startsWith(`NO [BADURL ${url}] `), `${url}: ${r}`);
    }
    assert.equal((await newest(c, 'Drafts')).count, before);
    // Whether the other user's folder does not exist or may not be read looks the same.
    assert.equal(
      await c.status(`APPEND Drafts CATENATE (URL "/${encodeURIComponent(bobInbox)}/;UID=1")`),
      `NO [BADURL /${encodeURIComponent(bobInbox)}/;UID=1] No such message`,
    );

    // Once bob lets alice read his INBOX, the same URL works: the check is the mailbox service's.
    const b = await ImapClient.login(f.port, BOB);
    assert.equal(await b.status(`SETACL INBOX ${ALICE.user} lr`), 'OK SETACL completed');
    b.close();
    assert.match(
      await c.status(`APPEND Drafts CATENATE (URL "/${encodeURIComponent(bobInbox)}/;UID=1")`),
      /^OK \[APPENDUID/,
    );
    assert.equal((await newest(c, 'Drafts')).body, message(50));
  });

  it('refuses a result over the append limit with TOOBIG, and bad syntax with BAD', async () => {
    const parts = Array.from({ length: 30 }, () => 'URL "/INBOX/;UID=1"').join(' ');
    assert.match(await c.status(`APPEND Drafts CATENATE (${parts})`), /^NO \[TOOBIG\]/);
    assert.match(await c.status('APPEND Drafts CATENATE ()'), /^BAD /);
    assert.match(await c.status('APPEND Drafts CATENATE (TEXT "not a literal")'), /^BAD /);
    assert.match(await c.status('APPEND Drafts CATENATE (URL "/INBOX/;UID=1"'), /^BAD /);
    assert.deepEqual(untagged(await c.cmd('NOOP')), []);
  });
});
