import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOB, ImapClient, imapFixture, tagless, type ImapFixture } from './fixture.js';

const PRIVATE = '"Other Users/alice@example.test/Private"';

describe('imap ACL isolation through the protocol', () => {
  let f: ImapFixture;
  let alice: ImapClient;
  let bob: ImapClient;
  before(async () => {
    f = await imapFixture(2);
    alice = await ImapClient.login(f.port);
    await alice.cmd('CREATE Private');
    await alice.cmd('APPEND Private {11+}\r\nSubject: x\r\n');
    bob = await ImapClient.login(f.port, BOB);
  });
  after(async () => {
    alice.close();
    bob.close();
    await f.close();
  });

  it("a user without rights cannot see, select or read another user's folder", async () => {
    const list = await bob.cmd('LIST "" *');
    assert.ok(!list.some((l) => /alice/.test(l)), list.join('\n'));
    assert.match(await bob.status(`STATUS ${PRIVATE} (MESSAGES)`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`SELECT ${PRIVATE}`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`EXAMINE ${PRIVATE}`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status('SELECT "Other Users/alice@example.test/INBOX"'), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`GETACL ${PRIVATE}`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`SETACL ${PRIVATE} ${BOB.user} lrswipkxtea`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`MYRIGHTS ${PRIVATE}`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`RENAME ${PRIVATE} Mine`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`DELETE ${PRIVATE}`), /^NO \[NONEXISTENT\]/);
    assert.match(await bob.status(`APPEND ${PRIVATE} {3+}\r\nabc`), /^NO \[TRYCREATE\]/);
    assert.match(await bob.status(`GETQUOTAROOT ${PRIVATE}`), /^NO \[NONEXISTENT\]/);
    await bob.cmd('APPEND INBOX {11+}\r\nSubject: y\r\n');
    await bob.cmd('SELECT INBOX');
    assert.match(await bob.status(`COPY 1 ${PRIVATE}`), /^NO \[TRYCREATE\]/);
    assert.match(await bob.status(`MOVE 1 ${PRIVATE}`), /^NO \[TRYCREATE\]/);
    assert.equal(await bob.status('FETCH 1 (UID)'), 'OK FETCH completed');
    await bob.cmd('UNSELECT');
  });

  it('lookup without read: listed, but SELECT, STATUS and FETCH are refused with NOPERM', async () => {
    await alice.cmd(`SETACL Private ${BOB.user} l`);
    const list = tagless(await bob.cmd(`LIST "" ${PRIVATE}`));
    assert.deepEqual(list, [
      `* LIST (\\HasNoChildren) "/" "Other Users/alice@example.test/Private"`,
      'OK LIST completed',
    ]);
    assert.match(await bob.status(`SELECT ${PRIVATE}`), /^NO \[NOPERM\]/);
    assert.match(await bob.status(`STATUS ${PRIVATE} (MESSAGES)`), /^NO \[NOPERM\]/);
    assert.match(await bob.status(`GETACL ${PRIVATE}`), /^NO \[NOPERM\]/);
  });

  it('read-only rights: EXAMINE works, STORE, APPEND, EXPUNGE, DELETE and SETACL do not', async () => {
    await alice.cmd(`SETACL Private ${BOB.user} lr`);
    assert.match(await bob.status(`SELECT ${PRIVATE}`), /^OK \[READ-ONLY\]/);
    const fetch = await bob.cmd('FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    assert.match(fetch[0]!, /^\* 1 FETCH \(BODY\[HEADER.FIELDS \(SUBJECT\)\] \{\d+\}$/);
    assert.equal(await bob.status('STORE 1 +FLAGS (\\Seen)'), 'NO The mailbox is read-only');
    assert.equal(await bob.status('EXPUNGE'), 'NO The mailbox is read-only');
    await bob.cmd('UNSELECT');
    assert.match(await bob.status(`APPEND ${PRIVATE} {3+}\r\nabc`), /^NO \[NOPERM\]/);
    assert.match(await bob.status(`DELETE ${PRIVATE}`), /^NO \[NOPERM\]/);
    assert.match(await bob.status(`SETACL ${PRIVATE} ${BOB.user} lrswipkxtea`), /^NO \[NOPERM\]/);
    assert.match(
      await bob.status(`RENAME ${PRIVATE} "Other Users/alice@example.test/Renamed"`),
      /^NO \[NOPERM\]/,
    );
    assert.deepEqual(tagless(await bob.cmd(`MYRIGHTS ${PRIVATE}`)), [
      '* MYRIGHTS "Other Users/alice@example.test/Private" lr',
      'OK MYRIGHTS completed',
    ]);
  });

  it('the owner sees and manages the ACL', async () => {
    assert.deepEqual(tagless(await alice.cmd('GETACL Private')), [
      '* ACL Private bob@example.test lr',
      'OK GETACL completed',
    ]);
    assert.equal(await alice.status(`SETACL Private ${BOB.user} +i`), 'OK SETACL completed');
    assert.equal(
      await bob.status(`APPEND ${PRIVATE} {3+}\r\nabc`).then((s) => s.replace(/\d+ \d+/, 'V U')),
      'OK [APPENDUID V U] APPEND completed',
    );
    assert.equal(await alice.status(`DELETEACL Private ${BOB.user}`), 'OK DELETEACL completed');
    assert.match(await bob.status(`STATUS ${PRIVATE} (MESSAGES)`), /^NO \[NONEXISTENT\]/);
    assert.deepEqual(tagless(await alice.cmd(`LISTRIGHTS Private ${BOB.user}`)), [
      '* LISTRIGHTS Private bob@example.test "" l r s w i p k x t e a',
      'OK LISTRIGHTS completed',
    ]);
    assert.match(await alice.status('SETACL Private anyone lrz'), /^BAD /);
  });
});
