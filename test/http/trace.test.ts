import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { startApiServer } from './api-client.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('api: message trace', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  let queueId: string;
  before(async () => {
    t = await startApiServer();
    const info = await nodemailer
      .createTransport({ host: '127.0.0.1', port: t.server.port('smtp'), secure: false, ignoreTLS: true })
      .sendMail({
        from: 'tracer@example.org',
        to: ['seller@a.test', 'bob@b.test'],
        subject: 'trace me',
        text: 'hello',
        messageId: '<trace-1@example.org>',
      });
    queueId = /([0-9B-Z]{15})/.exec(info.response)![1]!;
  });
  after(() => t.server.close());

  const delivered = (m: any) =>
    m.events.filter((e: any) => e.stage === 'delivered').map((e: any) => e.recipient);

  test('by queue id: received, scanned with the spam verdict and hits, delivered per recipient, in order', async () => {
    const m = await until('both deliveries in the log', async () => {
      const r = await t.admin.get(`/trace?queueId=${queueId}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const msg = r.body.messages[0];
      return msg && delivered(msg).length === 2 ? msg : undefined;
    });
    assert.equal(m.queueId, queueId);
    assert.equal(m.messageId, '<trace-1@example.org>');
    assert.equal(m.sender, 'tracer@example.org');
    assert.deepEqual(
      m.events.map((e: any) => e.stage),
      ['received', 'scanned', 'delivered', 'delivered'],
    );
    assert.match(m.events[0].detail, /from <tracer@example\.org> by smtp from \[127\.0\.0\.1\]/);
    assert.match(m.events[1].detail, /spam score -?\d+\.\d of \d+\.\d required: (accept|tag)/);
    assert.ok(Array.isArray(m.spam.hits));
    // No clamd configured here: the virus result is not known, and the trace says nothing of it.
    assert.equal(m.virus, null);
    assert.doesNotMatch(m.events[1].detail, /virus/);
    assert.deepEqual(delivered(m).sort(), ['bob@b.test', 'seller@a.test']);
    const times = m.events.slice(1).map((e: any) => e.time);
    assert.deepEqual(
      times,
      [...times].sort((a: number, b: number) => a - b),
    );
    assert.equal(m.queued, false);
  });

  test('by Message-ID and by sender + recipient the same message is found', async () => {
    const byMid = await t.admin.get(`/trace?messageId=${encodeURIComponent('<trace-1@example.org>')}`);
    assert.deepEqual(
      byMid.body.messages.map((m: any) => m.queueId),
      [queueId],
    );
    const byPair = await t.admin.get(
      '/trace?sender=tracer@example.org&recipient=seller@a.test&last=1%20hour',
    );
    assert.deepEqual(
      byPair.body.messages.map((m: any) => m.queueId),
      [queueId],
    );
    assert.deepEqual(delivered(byPair.body.messages[0]), ['seller@a.test'], 'only the matching recipient');
    assert.equal((await t.admin.get('/trace?queueId=000000000000000')).body.messages.length, 0);
    assert.equal((await t.admin.get('/trace')).status, 400);
  });

  test('a message waiting in the queue shows what it waits for', async () => {
    // Deliveries paused, so the message is certainly still queued when it is held.
    const manager = t.server.app.queue.manager;
    await manager.stop();
    try {
      const id = (await t.admin.post('/queue/test', { from: 'dom@a.test', to: 'x@nowhere.invalid' })).body
        .queueId;
      assert.equal(
        (await t.admin.post('/queue/actions', { action: 'hold', queueIds: [id] })).body.affected,
        1,
      );
      const m = (await t.admin.get(`/trace?queueId=${id}`)).body.messages[0];
      assert.equal(m.queued, true);
      assert.deepEqual(
        m.events.map((e: any) => [e.stage, e.recipient]),
        [
          ['received', null],
          ['waiting', 'x@nowhere.invalid'],
        ],
      );
      assert.match(m.events[1].detail, /^held: held by administrator/);
      assert.equal(m.subject, `Mailstead test message ${id}`);
    } finally {
      manager.start();
    }
  });

  test("a domain admin traces their own domain's mail only; group admins and users may not trace", async () => {
    const own = await t.domainAdmin.get(`/trace?queueId=${queueId}`);
    assert.equal(own.status, 200);
    assert.deepEqual(delivered(own.body.messages[0]), ['seller@a.test'], 'the b.test delivery is not shown');
    const other = await t.domainAdmin.get('/trace?recipient=bob@b.test');
    assert.deepEqual(
      other.body.messages.flatMap((m: any) => delivered(m)),
      [],
    );
    assert.equal((await t.domainAdmin.get(`/trace?queueId=${queueId}&domain=b.test`)).status, 403);
    for (const c of [t.groupAdmin, t.user, t.otherUser])
      assert.equal((await c.get(`/trace?queueId=${queueId}`)).status, 403);
  });
});
