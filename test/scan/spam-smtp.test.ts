import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GTUBE, mail, scanFixture, settle, smtplibSend, type ScanFixture } from './scan-fixture.js';

const RCPT = 'rcpt@example.test';

async function folderMessages(f: ScanFixture, address: string, folder: string): Promise<string[]> {
  const { mailbox } = f.server.app;
  const actor = await mailbox.actorFor(f.ids.get(address)!);
  const snap = await mailbox.folders.select(actor, folder);
  return Promise.all(
    [...snap.uids].map(async (uid) => (await mailbox.messages.read(actor, folder, uid)).toString('latin1')),
  );
}

describe('spam scanning at the end of DATA (real SMTP, smtplib)', () => {
  let f: ScanFixture;
  before(async () => {
    f = await scanFixture([RCPT, 'allow@example.test'], { 'spam.reject_score': '15' });
  });
  after(() => f?.close());

  it('refuses GTUBE with 550 5.7.1 and stores nothing', async () => {
    const r = await smtplibSend(
      f.server.port('smtp'),
      'sender@remote.example',
      [RCPT],
      mail('test', `Hello\n${GTUBE}\n`, { From: 'gtube@remote.example' }),
    );
    assert.equal(r.code, 550);
    assert.match(r.text, /^5\.7\.1 Message rejected as spam \(score 1000\.0\)/);
    assert.equal((await f.server.app.queue.admin.list({})).length, 0);
  });

  it('tags a message between required_score and reject_score and files it into Junk, with the hits recorded', async () => {
    const r = await smtplibSend(
      f.server.port('smtp'),
      'sender@remote.example',
      [RCPT],
      mail('Big win', 'Visit our online casino today.\n'),
    );
    assert.equal(r.code, 250, r.text);
    await settle(f);
    const junk = await folderMessages(f, RCPT, 'Junk');
    assert.equal(junk.length, 1);
    assert.match(junk[0]!, /^Subject: \*\*\*\*\*SPAM\*\*\*\*\* Big win\r?$/m);
    assert.match(junk[0]!, /^X-Spam-Flag: YES/m);
    assert.match(junk[0]!, /^X-Spam-Status: Yes, score=12\.0 required=5\.0 tests=MS_TEST_CASINO/m);
    assert.equal((await folderMessages(f, RCPT, 'INBOX')).length, 0);
    const queueId = /queued as (\S+)/.exec(r.text)![1]!;
    const v = await f.server.app.scan.store.verdicts.get(queueId);
    assert.equal(v?.action, 'tag');
    assert.deepEqual(
      v?.hits.find((h) => h.name === 'MS_TEST_CASINO'),
      { name: 'MS_TEST_CASINO', score: 12, description: 'Online casino offer' },
    );
  });

  it('delivers ham to INBOX with X-Spam-Status: No', async () => {
    const r = await smtplibSend(
      f.server.port('smtp'),
      'friend@remote.example',
      [RCPT],
      mail('Lunch', 'See you at noon.\n'),
    );
    assert.equal(r.code, 250, r.text);
    await settle(f);
    const inbox = await folderMessages(f, RCPT, 'INBOX');
    assert.ok(inbox.some((m) => /^X-Spam-Status: No, score=0\.0/m.test(m) && /Subject: Lunch/.test(m)));
  });

  it("follows the recipient's allow list and own threshold", async () => {
    const prefs = f.server.app.scan.store.prefs;
    const id = f.ids.get('allow@example.test')!;
    await prefs.addToList(id, 'allow', '*@trusted.example');
    let r = await smtplibSend(
      f.server.port('smtp'),
      'boss@trusted.example',
      ['allow@example.test'],
      mail('Casino night', 'Our online casino party.\n', { From: 'boss@trusted.example' }),
    );
    assert.equal(r.code, 250, r.text);
    await prefs.setRequiredScore(id, 3);
    r = await smtplibSend(
      f.server.port('smtp'),
      'x@remote.example',
      ['allow@example.test'],
      mail('Pharmacy', 'cheap pills here\n'),
    );
    assert.equal(r.code, 250, r.text);
    await settle(f);
    const inbox = await folderMessages(f, 'allow@example.test', 'INBOX');
    const junk = await folderMessages(f, 'allow@example.test', 'Junk');
    assert.ok(
      inbox.some((m) => /Casino night/.test(m)),
      'allow-listed sender goes to INBOX',
    );
    assert.ok(
      junk.some((m) => /Pharmacy/.test(m)),
      'score 6 is junk for a user whose threshold is 3',
    );
  });

  it('skips mail from trusted networks (spam.trusted_networks = skip)', async () => {
    f.server.app.config.set('smtp.trusted_networks', '127.0.0.0/8');
    try {
      const r = await smtplibSend(
        f.server.port('smtp'),
        'relay@example.test',
        [RCPT],
        mail('relayed', `${GTUBE}\n`),
      );
      assert.equal(r.code, 250, r.text);
    } finally {
      f.server.app.config.set('smtp.trusted_networks', '');
    }
  });
});
