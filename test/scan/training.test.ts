import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toUidSet } from '../../src/mailbox/uid-set.js';
import { LEARN_HAM, LEARN_SPAM } from '../../src/scan/training/spam-trainer.js';
import { cli } from '../support/cli.js';
import { mail, scanFixture, settle, smtplibSend, type ScanFixture } from './scan-fixture.js';

const USER = 'trainee@example.test';

describe('spam training folders and Junk moves', () => {
  let f: ScanFixture;
  before(async () => {
    f = await scanFixture([USER], { 'spam.training_daily_limit': '3' });
  });
  after(() => f?.close());

  const owner = () => String(f.ids.get(USER));

  it('learns the Learn Spam / Learn Ham folders up to the daily limit, then empties what it learned', async () => {
    const { app } = f.server;
    const actor = await app.mailbox.actorFor(f.ids.get(USER)!);
    await app.scan.trainer.ensureFolders(f.ids.get(USER)!);
    for (let i = 0; i < 2; i++)
      await app.mailbox.messages.append(actor, LEARN_SPAM, {
        data: Buffer.from(mail(`spam ${i}`, `cheap watches offer ${i}\n`)),
      });
    for (let i = 0; i < 2; i++)
      await app.mailbox.messages.append(actor, LEARN_HAM, {
        data: Buffer.from(mail(`ham ${i}`, `meeting notes ${i}\n`)),
      });
    const r = await cli(f.server.dir, 'spam', 'train', USER, '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), [{ account: USER, spam: 2, ham: 1, deferred: 1 }]);
    assert.deepEqual(await app.scan.store.bayes.totals(owner()), { spam: 2, ham: 1 });
    assert.equal((await app.mailbox.folders.select(actor, LEARN_SPAM)).uids.length, 0);
    assert.equal(
      (await app.mailbox.folders.select(actor, LEARN_HAM)).uids.length,
      1,
      'over the limit: left for tomorrow',
    );
  });

  it('learns a move into Junk as spam and back out as ham (flipping it), but not a move to Trash', async () => {
    const { app } = f.server;
    app.config.set('spam.training_daily_limit', '100');
    const id = f.ids.get(USER)!;
    const actor = await app.mailbox.actorFor(id);
    const r = await smtplibSend(
      f.server.port('smtp'),
      'news@remote.example',
      [USER],
      mail('Newsletter', 'weekly news\n', { 'Message-ID': '<move-1@remote.example>' }),
    );
    assert.equal(r.code, 250, r.text);
    await settle(f);
    const uid = [...(await app.mailbox.folders.select(actor, 'INBOX')).uids].at(-1)!;
    const before = await app.scan.store.bayes.totals(owner());
    assert.equal(
      await app.scan.store.bayes.seen(owner(), '<move-1@remote.example>'),
      'ham',
      'auto-learned as ham at SMTP time',
    );

    const moved = await app.mailbox.messages.move(actor, 'INBOX', toUidSet([uid]), 'Junk');
    await app.scan.trainer.idle();
    assert.equal(await app.scan.store.bayes.seen(owner(), '<move-1@remote.example>'), 'spam');
    assert.deepEqual(
      await app.scan.store.bayes.totals(owner()),
      { spam: before.spam + 1, ham: before.ham - 1 },
      'moved over, not counted twice',
    );

    const junkUid = moved.mapping[0]![1];
    const trashed = await app.mailbox.messages.move(actor, 'Junk', toUidSet([junkUid]), 'Trash');
    await app.scan.trainer.idle();
    assert.equal(
      await app.scan.store.bayes.seen(owner(), '<move-1@remote.example>'),
      'spam',
      'Junk -> Trash is no ham signal',
    );

    const trashUid = trashed.mapping[0]![1];
    await app.mailbox.messages.move(actor, 'Trash', toUidSet([trashUid]), 'INBOX');
    await app.scan.trainer.idle();
    assert.equal(
      await app.scan.store.bayes.seen(owner(), '<move-1@remote.example>'),
      'ham',
      'out of Junk (via Trash) relearns it as ham',
    );
    assert.deepEqual(await app.scan.store.bayes.totals(owner()), before);
  });

  it('does not learn spam that delivery filed into Junk', async () => {
    const { app } = f.server;
    const before = await app.scan.store.bayes.totals(owner());
    const r = await smtplibSend(
      f.server.port('smtp'),
      'promo@remote.example',
      [USER],
      mail('Casino', 'online casino bonus\n', { 'Message-ID': '<junk-1@remote.example>' }),
    );
    assert.equal(r.code, 250, r.text);
    await settle(f);
    await app.scan.trainer.idle();
    assert.equal(
      await app.scan.store.training.junkSource(f.ids.get(USER)!, '<junk-1@remote.example>'),
      'delivery',
    );
    assert.deepEqual(await app.scan.store.bayes.totals(owner()), before);
  });
});
