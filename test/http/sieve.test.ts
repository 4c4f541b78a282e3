import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { PASSWORD, startApiServer } from './api-client.js';

const GOOD = 'require ["fileinto"];\nif header :contains "subject" "raw" {\n  fileinto "Raw";\n}\n';
const BAD = 'require ["fileinto"];\nif header :contains "subject" "raw" {\n  fileinto Raw;\n}\n';

describe('api: raw Sieve scripts', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    t = await startApiServer();
  });
  after(() => t.server.close());

  test('a compile error comes back with its line and column, for the check and the save; nothing is stored', async () => {
    const check = await t.user.post('/accounts/seller@a.test/sieve-check', { content: BAD });
    assert.equal(check.status, 200);
    assert.equal(check.body.ok, false);
    assert.equal(check.body.error.line, 3);
    assert.ok(check.body.error.column > 1);
    const ok = await t.user.post('/accounts/seller@a.test/sieve-check', { content: GOOD });
    assert.deepEqual(ok.body, { ok: true, error: null });
    const save = await t.user.put('/accounts/seller@a.test/sieve/mine', { content: BAD, active: true });
    assert.equal(save.status, 400);
    assert.equal(save.body.line, 3);
    assert.match(save.body.error, /line 3, column \d+/);
    assert.deepEqual((await t.user.get('/accounts/seller@a.test/sieve')).body, []);
  });

  test('a saved, active script files mail delivered over SMTP, seen over IMAP', async () => {
    assert.equal((await t.user.post('/accounts/seller@a.test/folders', { name: 'Raw' })).status, 200);
    const save = await t.user.put('/accounts/seller@a.test/sieve/mine', { content: GOOD, active: true });
    assert.equal(save.status, 200, JSON.stringify(save.body));
    const got = await t.user.get('/accounts/seller@a.test/sieve/mine');
    assert.deepEqual(got.body, { name: 'mine', content: GOOD, active: true });
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: t.server.port('smtp'), secure: false, ignoreTLS: true })
      .sendMail({ from: 'x@example.org', to: 'seller@a.test', subject: 'a raw test', text: 'hi' });
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: t.server.port('imap'),
      secure: false,
      auth: { user: 'seller@a.test', pass: PASSWORD },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    await imap.connect();
    let messages = 0;
    for (let i = 0; i < 100 && !messages; i++) {
      const s = await imap.status('Raw', { messages: true });
      messages = (s && s.messages) || 0;
      if (!messages) await new Promise((r) => setTimeout(r, 100));
    }
    await imap.logout();
    assert.equal(messages, 1);
    // The active script cannot be deleted; deactivated, it can.
    assert.equal((await t.user.delete('/accounts/seller@a.test/sieve/mine')).status, 400);
    assert.equal((await t.user.put('/accounts/seller@a.test/sieve-active', { name: null })).status, 200);
    assert.equal((await t.user.delete('/accounts/seller@a.test/sieve/mine')).status, 200);
  });

  test("the rule editor's script is not editable here", async () => {
    const r = await t.user.put('/accounts/seller@a.test/sieve/mailstead-rules', { content: 'keep;' });
    assert.equal(r.status, 409);
    assert.equal((await t.user.delete('/accounts/seller@a.test/sieve/mailstead-rules')).status, 409);
  });

  test('authorization: own account, the group admin of its group, its domain admin, the server admin', async () => {
    const put = (c: typeof t.user, address: string) =>
      c.put(`/accounts/${address}/sieve/s`, { content: 'keep;' }).then((r) => r.status);
    assert.equal(await put(t.user, 'seller@a.test'), 200);
    assert.equal(await put(t.groupAdmin, 'seller@a.test'), 200);
    assert.equal(await put(t.domainAdmin, 'seller@a.test'), 200);
    assert.equal(await put(t.admin, 'seller@a.test'), 200);
    assert.equal(await put(t.user, 'helper@a.test'), 403, 'a user, another account');
    assert.equal(await put(t.groupAdmin, 'helper@a.test'), 403, 'a group admin, another group');
    assert.equal(await put(t.domainAdmin, 'bob@b.test'), 403, 'a domain admin, another domain');
    assert.equal(await put(t.otherUser, 'seller@a.test'), 403);
    for (const path of ['/accounts/helper@a.test/sieve', '/accounts/helper@a.test/sieve/s'])
      assert.equal((await t.user.get(path)).status, 403, path);
    assert.equal(
      (await t.user.post('/accounts/helper@a.test/sieve-check', { content: 'keep;' })).status,
      403,
    );
    assert.equal(
      (await t.user.call('PUT', '/accounts/seller@a.test/sieve/s', { content: 'keep;' }, { csrf: false }))
        .status,
      403,
    );
  });
});
