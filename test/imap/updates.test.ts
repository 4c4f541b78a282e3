import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOB, ImapClient, imapFixture, message, tagless, type ImapFixture } from './fixture.js';

describe('imap updates between sessions and IDLE', () => {
  let f: ImapFixture;
  before(async () => (f = await imapFixture(3)));
  after(() => f.close());

  it("one session sees another session's flag change, expunge and append on NOOP", async () => {
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.login(f.port);
    await a.cmd('SELECT INBOX');
    await b.cmd('SELECT INBOX');
    await b.cmd('STORE 2 +FLAGS (\\Flagged)');
    assert.deepEqual(tagless(await a.cmd('NOOP')), [
      '* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))',
      'OK NOOP completed',
    ]);
    await b.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)');
    await b.cmd('EXPUNGE');
    await b.cmd('APPEND INBOX {5}\r\nhello'.replace('{5}\r\n', '{5+}\r\n'));
    assert.deepEqual(tagless(await a.cmd('NOOP')), [
      '* 1 EXPUNGE',
      '* 3 EXISTS',
      '* 2 RECENT',
      'OK NOOP completed',
    ]);
    a.close();
    b.close();
  });

  it('an IDLE session told of several expunges at once numbers them highest first, and keeps its saved result right', async () => {
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.login(f.port);
    await b.cmd('CREATE Several');
    for (let i = 1; i <= 6; i++) await b.cmd(`APPEND Several {${`m${i}`.length}+}\r\nm${i}`);
    await a.cmd('SELECT Several');
    await a.cmd('UID SEARCH RETURN (SAVE) UID 1:*');
    await b.cmd('SELECT Several');
    await b.cmd('STORE 2,4:5 +FLAGS.SILENT (\\Deleted)');
    a.write('i1 IDLE\r\n');
    await a.waitFor(/\+ idling\r\n/);
    await b.cmd('EXPUNGE');
    assert.equal(await a.waitFor(/\* 2 EXPUNGE\r\n/, 1000), '* 5 EXPUNGE\r\n* 4 EXPUNGE\r\n* 2 EXPUNGE\r\n');
    a.write('DONE\r\n');
    await a.waitFor(/i1 OK[^\r]*\r\n/);
    assert.deepEqual(tagless(await a.cmd('UID SEARCH RETURN (ALL) $')), [
      '* ESEARCH (TAG "t4") UID ALL 1,3,6',
      'OK SEARCH completed',
    ]);
    a.close();
    b.close();
  });

  it('holds EXPUNGE back during FETCH by sequence number, sends it after', async () => {
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.login(f.port);
    await a.cmd('SELECT INBOX');
    await b.cmd('SELECT INBOX');
    await b.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)');
    await b.cmd('EXPUNGE');
    const fetch = await a.cmd('FETCH 1:* (UID)');
    assert.ok(!fetch.some((l) => /EXPUNGE/.test(l)), fetch.join('\n'));
    assert.deepEqual(tagless(await a.cmd('NOOP')), ['* 1 EXPUNGE', 'OK NOOP completed']);
    a.close();
    b.close();
  });

  it('while an EXPUNGE is held back, flag changes and new mail are still told, and every later change too', async () => {
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.login(f.port);
    const n = Number(/\* (\d+) EXISTS/.exec((await a.cmd('SELECT INBOX')).join('\n'))![1]);
    await b.cmd('SELECT INBOX');
    await b.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)');
    await b.cmd('EXPUNGE');
    await b.cmd('STORE 1 +FLAGS.SILENT (\\Answered)');
    await f.deliver(f.accounts.alice, message(300));
    const uid2 = /UID (\d+)/.exec((await b.cmd('FETCH 1 (UID)')).join('\n'))![1];
    // a still numbers the expunged message 1, so b's message 1 is a's message 2. The command's
    // own response comes first, from the view as it was; then the update.
    assert.deepEqual(tagless(await a.cmd('FETCH 2 (FLAGS)')), [
      '* 2 FETCH (FLAGS ())',
      `* 2 FETCH (UID ${uid2} FLAGS (\\Answered))`,
      `* ${n + 1} EXISTS`,
      // b heard of the new message first (its FETCH above): it is b's \Recent, not a's.
      '* 0 RECENT',
      'OK FETCH completed',
    ]);
    assert.deepEqual(tagless(await a.cmd('STORE 2 +FLAGS (\\Flagged)')), [
      `* 2 FETCH (UID ${uid2} FLAGS (\\Answered \\Flagged))`,
      'OK STORE completed',
    ]);
    assert.deepEqual(tagless(await a.cmd('NOOP')), ['* 1 EXPUNGE', 'OK NOOP completed']);
    assert.deepEqual(tagless(await a.cmd('FETCH 1 (FLAGS)')), [
      '* 1 FETCH (FLAGS (\\Answered \\Flagged))',
      'OK FETCH completed',
    ]);
    await b.cmd('STORE 1 -FLAGS.SILENT (\\Answered)');
    await b.cmd(`STORE ${n} +FLAGS.SILENT (\\Seen)`);
    assert.deepEqual(tagless(await a.cmd('NOOP')), [
      `* 1 FETCH (UID ${uid2} FLAGS (\\Flagged))`,
      `* ${n} FETCH (UID ${/UID (\d+)/.exec((await b.cmd(`FETCH ${n} (UID)`)).join('\n'))![1]} FLAGS (\\Seen))`,
      'OK NOOP completed',
    ]);
    a.close();
    b.close();
  });

  it('IDLE reports a delivery, a flag change and an expunge within a second', async () => {
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.login(f.port);
    const sel = await a.cmd('SELECT INBOX');
    const count = Number(/\* (\d+) EXISTS/.exec(sel.join('\n'))![1]);
    a.write('i1 IDLE\r\n');
    assert.equal(await a.waitFor(/\r\n/), '+ idling\r\n');
    let t0 = Date.now();
    await f.deliver(f.accounts.alice, message(100));
    assert.equal(await a.waitFor(/RECENT\r\n/, 1000), `* ${count + 1} EXISTS\r\n* 1 RECENT\r\n`);
    assert.ok(Date.now() - t0 < 1000);
    await b.cmd('SELECT INBOX');
    t0 = Date.now();
    await b.cmd(`STORE ${count + 1} +FLAGS (\\Seen)`);
    assert.match(
      await a.waitFor(/FETCH[^\r]*\r\n/, 1000),
      new RegExp(`^\\* ${count + 1} FETCH \\(UID \\d+ FLAGS \\(\\\\Seen \\\\Recent\\)\\)\\r\\n$`),
    );
    await b.cmd(`STORE ${count + 1} +FLAGS.SILENT (\\Deleted)`);
    await b.cmd('EXPUNGE');
    assert.match(await a.waitFor(/EXPUNGE\r\n/, 1000), new RegExp(`\\* ${count + 1} EXPUNGE\\r\\n$`));
    assert.ok(Date.now() - t0 < 1000);
    a.write('DONE\r\n');
    assert.equal(await a.waitFor(/i1 [^\r]*\r\n/), 'i1 OK IDLE terminated\r\n');
    assert.equal(await a.status('NOOP'), 'OK NOOP completed');
    a.close();
    b.close();
  });

  it('IDLE ended by something other than DONE is BAD, and the session goes on', async () => {
    const a = await ImapClient.login(f.port);
    a.write('i1 IDLE\r\n');
    await a.waitFor(/\+ idling\r\n/);
    a.write('NOPE\r\n');
    assert.equal(await a.waitFor(/i1 [^\r]*\r\n/), 'i1 BAD Expected DONE\r\n');
    assert.equal(await a.status('NOOP'), 'OK NOOP completed');
    a.close();
  });

  it('QRESYNC: VANISHED instead of EXPUNGE, and SELECT (QRESYNC) reports what changed', async () => {
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.login(f.port);
    await a.cmd('ENABLE QRESYNC');
    const sel = (await a.cmd('SELECT INBOX')).join('\n');
    const validity = /UIDVALIDITY (\d+)/.exec(sel)![1];
    const modseq = /HIGHESTMODSEQ (\d+)/.exec(sel)![1];
    await b.cmd('SELECT INBOX');
    const uid = /\* 1 FETCH \(UID (\d+)\)/.exec((await b.cmd('FETCH 1 (UID)')).join('\n'))![1];
    await b.cmd('UID STORE ' + uid + ' +FLAGS.SILENT (\\Deleted)');
    await b.cmd('UID EXPUNGE ' + uid);
    assert.deepEqual(tagless(await a.cmd('NOOP')), [`* VANISHED ${uid}`, 'OK NOOP completed']);
    const c = await ImapClient.login(f.port);
    await c.cmd('ENABLE QRESYNC');
    const re = await c.cmd(`SELECT INBOX (QRESYNC (${validity} ${modseq}))`);
    assert.ok(re.includes(`* VANISHED (EARLIER) ${uid}`), re.join('\n'));
    a.close();
    b.close();
    c.close();
  });

  it('a folder shared with another user shows its changes to both', async () => {
    const a = await ImapClient.login(f.port);
    assert.equal(await a.status(`SETACL INBOX ${BOB.user} lrs`), 'OK SETACL completed');
    const b = await ImapClient.login(f.port, BOB);
    const sel = await b.cmd('EXAMINE "Other Users/alice@example.test/INBOX"');
    assert.match(sel.at(-1)!, /OK \[READ-ONLY\]/);
    b.write('i IDLE\r\n');
    await b.waitFor(/\+ idling\r\n/);
    await f.deliver(f.accounts.alice, message(200));
    assert.match(await b.waitFor(/EXISTS\r\n/, 1000), /\* \d+ EXISTS/);
    b.write('DONE\r\n');
    await b.waitFor(/i OK/);
    a.close();
    b.close();
  });
});
