import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  DUE_KEYS_SQL,
  dueRemoteSql,
  QueueRepo,
  type DueCursor,
  type NewMessage,
  type NewRecipient,
} from '../../src/store/queue/queue-repo.js';
import type { SqlDb } from '../../src/store/sql.js';
import { forEachBackend } from '../store/backends.js';
import { fillQueue, queuedMessage } from './queue-fill.js';

const rcpt = (
  address: string,
  kind: 'local' | 'remote',
  state: NewRecipient['state'],
  nextAttempt: number,
): NewRecipient => ({ address, domain: address.split('@')[1]!, kind, state, nextAttempt });

async function rowIds(db: SqlDb, queueId: string): Promise<Map<string, number>> {
  const rows = await db.all<{ id: number; recipient: string }>(
    'SELECT id, recipient FROM queue_recipients WHERE queue_id = ?',
    [queueId],
  );
  return new Map(rows.map((r) => [r.recipient, Number(r.id)]));
}

forEachBackend('picking due recipients', (backend) => {
  /** A store holding `messages`, and its queue repository. */
  const store = async (messages: NewMessage[]) => {
    const db = await backend.db();
    const repo = new QueueRepo(db);
    await db.tx((tx) => repo.insertMessages(tx, messages));
    return { db, repo };
  };

  it('a cursor walk yields every due row once, by next attempt then id, across ties; rows not yet due stay out', async () => {
    const db = await backend.db();
    const repo = new QueueRepo(db);
    const start = Date.now() - 400_000;
    await fillQueue(db, repo, 400, { start, sameTimeEvery: 9 });
    const now = start + 200_000;
    for (const state of ['queued', 'deferred'] as const) {
      const expected = (
        await db.all<{ id: number }>(
          'SELECT id FROM queue_recipients WHERE state = ? AND next_attempt <= ? ORDER BY next_attempt, id',
          [state, now],
        )
      ).map((r) => Number(r.id));
      assert.ok(expected.length > 30, `${state}: ${expected.length} due rows`);
      const walked: number[] = [];
      let cursor: DueCursor | undefined;
      for (;;) {
        const keys = await repo.dueKeys(state, now, cursor, 7);
        walked.push(...keys.map((k) => k.id));
        if (keys.length < 7) break;
        cursor = keys.at(-1)!;
      }
      assert.deepEqual(walked, expected, state);
    }
  });

  it("a message's due remote recipients come together, sharing one message; local rows by id", async () => {
    const now = Date.now();
    const { db, repo } = await store([
      queuedMessage('MSGA', now - 5000, [
        rcpt('r1@one.test', 'remote', 'queued', now - 5000),
        rcpt('r2@two.test', 'remote', 'queued', now - 5000),
        rcpt('r3@one.test', 'remote', 'deferred', now - 5000),
        rcpt('r4@one.test', 'remote', 'queued', now + 60_000),
        rcpt('l1@here.test', 'local', 'queued', now - 5000),
      ]),
      queuedMessage('MSGB', now - 4000, [rcpt('r5@one.test', 'remote', 'queued', now - 4000)]),
    ]);
    const a = await rowIds(db, 'MSGA');
    const got = await repo.dueRecipients('queued', now, {
      ids: [a.get('l1@here.test')!],
      remoteOf: ['MSGA'],
    });
    assert.deepEqual(got.map((r) => r.recipient).sort(), ['l1@here.test', 'r1@one.test', 'r2@two.test']);
    assert.ok(got.every((r) => r.message === got[0]!.message && r.message.id === 'MSGA'));
    const deferred = await repo.dueRecipients('deferred', now, { ids: [], remoteOf: ['MSGA', 'MSGB'] });
    assert.deepEqual(
      deferred.map((r) => r.recipient),
      ['r3@one.test'],
    );
  });

  it('outcomes with the same values share an UPDATE, rows finished meanwhile are left alone, and a finished message goes', async () => {
    const now = Date.now();
    const { db, repo } = await store([
      queuedMessage(
        'MSGC',
        now,
        ['a', 'b', 'c', 'd'].map((x) => rcpt(`${x}@one.test`, 'remote', 'queued', now)),
      ),
    ]);
    const ids = await rowIds(db, 'MSGC');
    await db.run("UPDATE queue_recipients SET state = 'bounced' WHERE id = ?", [ids.get('d@one.test')!]);
    const base = (x: string) => ({
      rowId: ids.get(`${x}@one.test`)!,
      queueId: 'MSGC',
      recipient: `${x}@one.test`,
    });
    const later = now + 300_000;
    await repo.applyOutcomes(
      [
        { ...base('a'), state: 'deferred', result: 'deferral', reply: '451 4.4.1 dead', nextAttempt: later },
        { ...base('b'), state: 'deferred', result: 'deferral', reply: '451 4.4.1 dead', nextAttempt: later },
        { ...base('c'), state: 'delivered', result: 'success', reply: '250 ok' },
        { ...base('d'), state: 'delivered', result: 'success', reply: '250 late' },
      ],
      now,
    );
    const rows = await db.all<{
      recipient: string;
      state: string;
      attempts: number;
      next_attempt: number;
      last_reply: string | null;
    }>(
      'SELECT recipient, state, attempts, next_attempt, last_reply FROM queue_recipients WHERE queue_id = ? ORDER BY recipient',
      ['MSGC'],
    );
    assert.deepEqual(
      rows.map((r) => [r.recipient, r.state, Number(r.attempts), Number(r.next_attempt), r.last_reply]),
      [
        ['a@one.test', 'deferred', 1, later, '451 4.4.1 dead'],
        ['b@one.test', 'deferred', 1, later, '451 4.4.1 dead'],
        ['c@one.test', 'delivered', 1, now, '250 ok'],
        ['d@one.test', 'bounced', 0, now, null],
      ],
    );
    const attempts = await db.all<{ recipient: string; result: string }>(
      'SELECT recipient, result FROM queue_attempts WHERE queue_id = ? ORDER BY id',
      ['MSGC'],
    );
    assert.deepEqual(
      attempts.map((x) => `${x.recipient} ${x.result}`),
      ['a@one.test deferral', 'b@one.test deferral', 'c@one.test success'],
    );
    await repo.applyOutcomes(
      ['a', 'b'].map((x) => ({
        ...base(x),
        state: 'delivered' as const,
        result: 'success' as const,
        reply: '250 ok',
      })),
      now,
    );
    assert.equal(await repo.message('MSGC'), undefined);
  });

  if (backend.name === 'sqlite')
    it('picking reads the covering index; the recipients of picked messages come by message, not by walking the backlog', async () => {
      const db = await backend.db();
      const plan = async (sql: string, params: unknown[]) =>
        (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params as never))
          .map((p) => p.detail)
          .join('\n');
      const same = await plan(DUE_KEYS_SQL.sameTime, ['deferred', 5, 7, 10]);
      assert.match(
        same,
        /SEARCH queue_recipients USING COVERING INDEX queue_recipients_pick \(state=\? AND next_attempt=\? AND id>\?\)/,
        same,
      );
      const later = await plan(DUE_KEYS_SQL.later, ['deferred', 5, 9, 10]);
      assert.match(
        later,
        /SEARCH queue_recipients USING COVERING INDEX queue_recipients_pick \(state=\? AND next_attempt>\? AND next_attempt<\?\)/,
        later,
      );
      for (const text of [same, later]) assert.doesNotMatch(text, /TEMP B-TREE/, text);
      const remote = await plan(dueRemoteSql(2), ['A', 'B', 'deferred', 9]);
      assert.match(
        remote,
        /SEARCH r USING INDEX sqlite_autoindex_queue_recipients_1 \(queue_id=\?\)/,
        remote,
      );
    });
});
