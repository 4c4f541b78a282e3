import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TestServer } from '../support/server.js';
import { queuedId } from '../smtp/smtp-client.js';
import { inbox, send, session, startSmtpServer, waitFor } from '../smtp/smtp-fixture.js';

describe('queue.deliver_at_once: a single local recipient is delivered before the 250', () => {
  let s: TestServer;
  /** Queue ids that went into the queue, in order. */
  let queued: string[];

  before(async () => {
    s = await startSmtpServer();
    await s.app.directory.addAlias({
      address: 'pair@example.test',
      members: ['alice@example.test', 'carol@example.test'],
    });
    await s.app.directory.addAccount({
      address: 'small@example.test',
      password: 'pw-test-123456',
      quotaBytes: 2000,
    });
    const queue = s.app.queue.queue;
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = (req) => {
      queued.push(req.queueId);
      return enqueue(req);
    };
  });
  beforeEach(() => {
    queued = [];
  });
  after(async () => s.close());

  async function deliver(from: string, to: string[], body: string): Promise<string> {
    const { c } = await session(s);
    try {
      return await send(c, from, to, body);
    } finally {
      c.close();
    }
  }

  const logged = (queueId: string) =>
    readFileSync(s.app.config.path('log.delivery_file'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.queueId === queueId);

  const queueRows = async (queueId: string) =>
    s.app.store.db.all<{ recipient: string; state: string; last_reply: string | null }>(
      'SELECT recipient, state, last_reply FROM queue_recipients WHERE queue_id = ?',
      [queueId],
    );

  test('the message is in the mailbox when the 250 comes, with its trace headers, logged, never queued', async () => {
    const reply = await deliver(
      'someone@example.org',
      ['bob@example.test'],
      'Subject: at once\r\n\r\nnow\r\n',
    );
    assert.match(reply, /^250 2\.0\.0 /);
    const id = queuedId(reply)!;
    // No waiting: the reply came after the mailbox commit.
    const stored = (await inbox(s, 'bob@example.test')).filter((m) => m.includes('Subject: at once'));
    assert.equal(stored.length, 1);
    assert.match(
      stored[0]!,
      /^Return-Path: <someone@example\.org>\r\nDelivered-To: bob@example\.test\r\nReceived: from /,
    );
    assert.match(stored[0]!, new RegExp(` id ${id}\\b`));
    assert.deepEqual(queued, []);
    assert.deepEqual(await queueRows(id), []);
    const lines = await waitFor(() => (logged(id).length ? logged(id) : undefined));
    assert.deepEqual(
      lines.map((l) => [l.recipient, l.kind, l.result, l.attempt, l.source]),
      [['bob@example.test', 'local', 'success', 1, 'smtp']],
    );
  });

  test('switched off, the same message goes through the queue', async () => {
    s.app.config.set('queue.deliver_at_once', 'no');
    try {
      const reply = await deliver(
        'someone@example.org',
        ['bob@example.test'],
        'Subject: queued\r\n\r\nlater\r\n',
      );
      const id = queuedId(reply)!;
      assert.deepEqual(queued, [id]);
      await waitFor(async () =>
        (await inbox(s, 'bob@example.test')).some((m) => m.includes('Subject: queued')),
      );
    } finally {
      s.app.config.unset('queue.deliver_at_once');
    }
  });

  test('a mailbox this message would overfill: queued and deferred with the mailbox-full reply', async () => {
    const reply = await deliver(
      'someone@example.org',
      ['small@example.test'],
      `Subject: too big\r\n\r\n${'x'.repeat(3000)}\r\n`,
    );
    assert.match(reply, /^250 2\.0\.0 /);
    const id = queuedId(reply)!;
    assert.deepEqual(queued, [id]);
    const [row] = await waitFor(async () => {
      const rows = await queueRows(id);
      return rows[0]?.state === 'deferred' ? rows : undefined;
    });
    assert.match(row!.last_reply ?? '', /^452 4\.2\.2 <small@example\.test>: mailbox full/);
    assert.deepEqual(await inbox(s, 'small@example.test'), []);
  });

  test('an alias with two members is expanded by the queue, once for each', async () => {
    const reply = await deliver(
      'someone@example.org',
      ['pair@example.test'],
      'Subject: to the pair\r\n\r\nhi\r\n',
    );
    assert.deepEqual(queued, [queuedId(reply)]);
    for (const who of ['alice', 'carol'])
      assert.equal(
        (
          await waitFor(async () => {
            const got = (await inbox(s, `${who}@example.test`)).filter((m) => m.includes('to the pair'));
            return got.length ? got : undefined;
          })
        ).length,
        1,
      );
  });

  test('NOTIFY=SUCCESS is queued, so the sender gets the delivery report', async () => {
    const { c } = await session(s);
    try {
      assert.match(await c.cmd('MAIL FROM:<alice@example.test>'), /^250/);
      assert.match(await c.cmd('RCPT TO:<bob@example.test> NOTIFY=SUCCESS'), /^250/);
      assert.match(await c.cmd('DATA'), /^354/);
      const reply = await c.cmd('Subject: report me\r\n\r\nhi\r\n.');
      assert.deepEqual(queued.slice(0, 1), [queuedId(reply)]);
    } finally {
      c.close();
    }
    await waitFor(async () =>
      (await inbox(s, 'alice@example.test')).find(
        (m) => /Action: delivered/i.test(m) && m.includes('bob@example.test'),
      ),
    );
  });

  test('a message with two local recipients is queued', async () => {
    const reply = await deliver(
      'someone@example.org',
      ['bob@example.test', 'carol@example.test'],
      'Subject: two of them\r\n\r\nhi\r\n',
    );
    assert.deepEqual(queued, [queuedId(reply)]);
  });
});
