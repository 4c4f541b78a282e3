import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Rule } from '../../src/sieve/rules.js';
import { SinkMta } from '../support/sink-mta.js';
import { folder, message, sendMail, sieveFixture, waitFor, type SieveFixture } from './sieve-fixture.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const ARCHIVE = 'archive@example.test';
const DOCS = 'docs@example.test';

function rule(r: Partial<Rule> & Pick<Rule, 'conditions' | 'actions'>): Omit<Rule, 'id'> {
  return { name: 'rule', enabled: true, match: 'all', stop: true, ...r };
}

/** The SCOoffice mail filter recipes, set up through the rule model and proven with SMTP deliveries. */
describe('SCOoffice recipes through SMTP delivery', () => {
  let f: SieveFixture;
  const id = (a: string) => f.ids.get(a)!;
  before(async () => {
    f = await sieveFixture([ALICE, BOB, ARCHIVE, DOCS]);
  });
  after(() => f.close());

  test('sorting mail into nested folders, with flags, top to bottom', async () => {
    const { app } = f.server;
    const actor = await app.mailbox.actorFor(id(ALICE));
    for (const name of ['Projects', 'Projects/Alpha', 'Projects/Beta'])
      await app.mailbox.folders.create(actor, name);
    await app.sieve.editRules(id(ALICE), {
      op: 'add',
      rule: rule({
        name: 'Alpha',
        conditions: [{ field: 'subject', op: 'contains', value: 'alpha' }],
        actions: [
          { type: 'flag', flags: ['\\Flagged'] },
          { type: 'fileinto', folder: 'Projects/Alpha' },
        ],
      }),
    });
    await app.sieve.editRules(id(ALICE), {
      op: 'add',
      rule: rule({
        name: 'Beta',
        match: 'any',
        conditions: [
          { field: 'subject', op: 'contains', value: 'beta' },
          { field: 'from', op: 'is', value: 'beta-team@example.org' },
        ],
        actions: [{ type: 'fileinto', folder: 'Projects/Beta' }],
      }),
    });
    await sendMail(
      f,
      'x@example.org',
      [ALICE],
      message({ From: 'x@example.org', To: ALICE, Subject: 'Alpha status' }),
    );
    await sendMail(
      f,
      'y@example.org',
      [ALICE],
      message({ From: 'beta-team@example.org', To: ALICE, Subject: 'weekly' }),
    );
    await sendMail(
      f,
      'z@example.org',
      [ALICE],
      message({ From: 'z@example.org', To: ALICE, Subject: 'lunch?' }),
    );
    const [alpha] = await waitFor(f, ALICE, 'Projects/Alpha', 1);
    assert.match(alpha!.raw, /Subject: Alpha status/);
    assert.deepEqual(alpha!.flags, ['\\Flagged']);
    assert.match((await waitFor(f, ALICE, 'Projects/Beta', 1))[0]!.raw, /From: beta-team@example.org/);
    const inbox = await waitFor(f, ALICE, 'INBOX', 1);
    assert.deepEqual(
      inbox.map((m) => /Subject: (.*)/.exec(m.raw)![1]!.trim()),
      ['lunch?'],
    );
    // Disabling and moving rules changes what happens next.
    await app.sieve.editRules(id(ALICE), { op: 'disable', id: '1' });
    await sendMail(
      f,
      'x@example.org',
      [ALICE],
      message({ From: 'x@example.org', To: ALICE, Subject: 'alpha again' }),
    );
    await waitFor(f, ALICE, 'INBOX', 2);
    assert.equal((await folder(f, ALICE, 'Projects/Alpha')).length, 1);
  });

  test("an archive account files every user's copies (a global script per domain)", async () => {
    const { app } = f.server;
    await app.sieve.putGlobal(
      'example.test',
      'before',
      `require ["copy", "envelope"];\nif not envelope :is "to" "${ARCHIVE}" {\n  redirect :copy "${ARCHIVE}";\n}\n`,
    );
    await app.sieve.putScript(
      id(ARCHIVE),
      'by-user',
      'require ["fileinto", "mailbox", "variables"];\nif address :localpart :matches "to" "*" {\n  fileinto :create "Users/${1}";\n}\n',
    );
    await app.sieve.activate(id(ARCHIVE), 'by-user');
    await sendMail(
      f,
      'ext@example.org',
      [BOB],
      message({ From: 'ext@example.org', To: BOB, Subject: 'for bob' }),
    );
    await sendMail(
      f,
      'ext@example.org',
      [ALICE],
      message({ From: 'ext@example.org', To: ALICE, Subject: 'for alice' }),
    );
    assert.match((await waitFor(f, ARCHIVE, 'Users/bob', 1))[0]!.raw, /Subject: for bob/);
    assert.match((await waitFor(f, ARCHIVE, 'Users/alice', 1))[0]!.raw, /Subject: for alice/);
    // The users still get their mail: the global script only adds a copy.
    assert.match((await waitFor(f, BOB, 'INBOX', 1))[0]!.raw, /Subject: for bob/);
    await app.sieve.removeGlobal('example.test', 'before');
  });

  test('a document share files mail by subject keyword into a shared journal folder', async () => {
    const { app } = f.server;
    const docs = await app.mailbox.actorFor(id(DOCS));
    await app.mailbox.folders.create(docs, 'Journal');
    await app.mailbox.folders.create(docs, 'Journal/Contracts');
    await app.mailbox.acl.set(docs, 'Journal/Contracts', ALICE, 'lrs');
    await app.sieve.editRules(id(DOCS), {
      op: 'add',
      rule: rule({
        conditions: [{ field: 'subject', op: 'contains', value: '[contract]' }],
        actions: [{ type: 'fileinto', folder: 'Journal/Contracts' }],
      }),
    });
    await sendMail(
      f,
      'partner@example.org',
      [DOCS],
      message({ From: 'partner@example.org', To: DOCS, Subject: '[Contract] signed copy' }),
    );
    await waitFor(f, DOCS, 'Journal/Contracts', 1);
    // Alice reads it through the shared namespace, as an IMAP client would.
    const shared = await folder(f, ALICE, `Other Users/${DOCS}/Journal/Contracts`);
    assert.equal(shared.length, 1);
    assert.match(shared[0]!.raw, /Subject: \[Contract\] signed copy/);
  });

  test('copies forwarded to an SMS gateway leave by SMTP for the remote address', async () => {
    const { app } = f.server;
    // The gateway is reached by a fixed route, so the outcome never depends on the machine's DNS.
    const gateway = await new SinkMta().start();
    app.config.set('smtp.routes', `sms.example.net:127.0.0.1:${gateway.port}`);
    try {
      await app.sieve.editRules(id(BOB), {
        op: 'add',
        rule: rule({
          conditions: [{ field: 'from', op: 'contains', value: 'boss@' }],
          actions: [{ type: 'redirect', address: '4917012345@sms.example.net', copy: true }],
          stop: false,
        }),
      });
      await sendMail(
        f,
        'boss@example.org',
        [BOB],
        message({ From: 'boss@example.org', To: BOB, Subject: 'call me' }),
      );
      await waitFor(f, BOB, 'INBOX', 2);
      await gateway.waitFor(1);
      assert.deepEqual(gateway.messages[0]!.to, ['4917012345@sms.example.net']);
      assert.match(gateway.messages[0]!.data.toString(), /^Subject: call me$/m);
    } finally {
      await gateway.stop();
    }
  });
});
