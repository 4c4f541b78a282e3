import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OperatorError } from '../../src/core/errors.js';
import { systemClock } from '../../src/core/clock.js';
import { QueueService } from '../../src/queue/queue-service.js';
import { listSql, QueueRepo } from '../../src/store/queue/queue-repo.js';
import { forEachBackend } from '../store/backends.js';
import { fillQueue } from './queue-fill.js';

forEachBackend('queue listing pages', (backend) => {
  const setup = async () => {
    const db = await backend.db();
    const repo = new QueueRepo(db);
    const service = new QueueService(repo, backend.blobs(db), systemClock, async () => {
      throw new Error('listing tests enqueue nothing');
    });
    return { db, repo, service };
  };
  const key = (i: { queueId: string; recipient: string }) => `${i.queueId} ${i.recipient}`;

  it('cursor pages walk every recipient once, newest first, across arrival-time ties', async () => {
    const { db, repo, service } = await setup();
    const total = await fillQueue(db, repo, 400, { sameTimeEvery: 9 });
    const all = (await service.page({ limit: 1000 }, {})).items;
    assert.equal(all.length, total);
    const times = all.map((i) => Date.parse(i.queuedAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    const walked: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const p = await service.page({ limit: 37 }, after === undefined ? {} : { after });
      assert.ok(p.items.length <= 37);
      walked.push(...p.items.map(key));
      after = p.next ?? undefined;
      pages++;
      if (p.next === null) assert.ok(p.items.length > 0);
    } while (after);
    assert.equal(pages, Math.ceil(total / 37));
    assert.deepEqual(walked, all.map(key));
    // An offset page is the same rows the cursor reached.
    const third = await service.page({ limit: 37 }, { offset: 74 });
    assert.deepEqual(third.items.map(key), walked.slice(74, 111));
  });

  it('a filter applies on every page, and a forged cursor is refused', async () => {
    const { db, repo, service } = await setup();
    await fillQueue(db, repo, 300, { sameTimeEvery: 4 });
    const deferred = (await service.page({ state: 'deferred', limit: 1000 }, {})).items;
    assert.ok(deferred.length > 50);
    const walked: string[] = [];
    let after: string | undefined;
    do {
      const p = await service.page({ state: 'deferred', limit: 20 }, after === undefined ? {} : { after });
      assert.ok(p.items.every((i) => i.state === 'deferred'));
      walked.push(...p.items.map(key));
      after = p.next ?? undefined;
    } while (after);
    assert.deepEqual(walked, deferred.map(key));
    await assert.rejects(
      service.page({ limit: 5 }, { after: "1'; DROP TABLE queue_messages" }),
      OperatorError,
    );
    await assert.rejects(service.page({ limit: 5 }, { after: '12.x.ABC' }), /not a queue listing cursor/);
  });

  if (backend.name === 'sqlite')
    it('a cursor page walks the arrival index from the cursor instead of sorting the queue', async () => {
      const { db } = await setup();
      for (const filter of [{}, { state: 'deferred' as const }, { domain: 'x.test', sender: 's' }]) {
        const { sql, params } = listSql({ ...filter, limit: 100 }, Date.now(), {
          after: { receivedAt: 5, queueId: 'A', recipientId: 1 },
        });
        const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
        const text = plan.map((p) => p.detail).join('\n');
        assert.match(
          text,
          /SEARCH m USING (COVERING )?INDEX queue_messages_received \(received_at<\?\)/,
          text,
        );
        assert.match(text, /SEARCH r USING INDEX sqlite_autoindex_queue_recipients_1 \(queue_id=\?\)/, text);
        assert.doesNotMatch(text, /TEMP B-TREE FOR ORDER BY/, text);
      }
    });
});
