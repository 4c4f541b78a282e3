import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeliveryRecord } from '../../src/log/delivery-record.js';
import { startApiServer } from './api-client.js';

describe('api: delivery log per domain (domain admins see their own domain only)', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    t = await startApiServer();
    const base = {
      time: new Date().toISOString(),
      messageId: null,
      size: 100,
      clientIp: null,
      source: 'smtp',
      result: 'success',
      reply: '250 ok',
    } as const;
    const records: DeliveryRecord[] = [
      {
        ...base,
        queueId: 'Q1',
        sender: 'x@example.org',
        recipient: 'seller@a.test',
        kind: 'local',
        authUser: null,
      },
      {
        ...base,
        queueId: 'Q2',
        sender: 'x@example.org',
        recipient: 'bob@b.test',
        kind: 'local',
        authUser: null,
      },
      {
        ...base,
        queueId: 'Q3',
        sender: 'dom@a.test',
        recipient: 'ext@remote.test',
        kind: 'remote',
        authUser: 'dom@a.test',
        source: 'submission',
      },
      {
        ...base,
        queueId: 'Q4',
        sender: 'bob@b.test',
        recipient: 'ext2@remote.test',
        kind: 'remote',
        authUser: 'bob@b.test',
        source: 'submission',
        result: 'failure',
        reply: '550 no',
      },
    ];
    for (const r of records) t.server.app.deliveryLog.write(r);
  });
  after(() => t.server.close());

  const ids = (r: { body: { records: DeliveryRecord[] } }) => r.body.records.map((x) => x.queueId).sort();

  test('a server admin sees every domain', async () => {
    assert.deepEqual(ids(await t.admin.get('/logs/deliveries?last=1%20hour')), ['Q1', 'Q2', 'Q3', 'Q4']);
    assert.deepEqual(ids(await t.admin.get('/logs/deliveries?last=1%20hour&domain=b.test')), ['Q2', 'Q4']);
  });

  test("a domain admin's searches, reports and graph cover their domain's mail only", async () => {
    const d = t.domainAdmin;
    assert.deepEqual(ids(await d.get('/logs/deliveries?last=1%20hour')), ['Q1', 'Q3']);
    assert.deepEqual(ids(await d.get('/logs/deliveries?last=1%20hour&domain=a.test')), ['Q1', 'Q3']);
    // Filtering by another domain's address narrows within a.test; it never widens past it.
    assert.deepEqual(ids(await d.get('/logs/deliveries?last=1%20hour&recipient=bob@b.test')), []);
    const senders = (await d.get('/logs/top/senders?last=1%20hour')).body.rows.map((r: any) => r.sender);
    assert.ok(!senders.includes('bob@b.test'), senders.join(','));
    const failures = (await d.get('/logs/top/failures?last=1%20hour')).body.rows;
    assert.equal(failures.length, 0, JSON.stringify(failures));
    const domains = (await d.get('/logs/stats/domains?last=1%20hour')).body.rows.map((r: any) => r.domain);
    assert.deepEqual(domains, ['a.test']);
    const traffic = (await d.get('/logs/traffic?hours=1')).body;
    assert.deepEqual([traffic[0].in, traffic[0].out], [1, 1]);
    const all = (await t.admin.get('/logs/traffic?hours=1')).body;
    assert.deepEqual([all[0].in, all[0].out], [2, 2]);
  });

  test('a domain admin asking for another domain, a group admin and a user are refused', async () => {
    for (const p of [
      '/logs/deliveries?domain=b.test',
      '/logs/top/senders?domain=b.test',
      '/logs/stats/users?domain=b.test',
    ])
      assert.equal((await t.domainAdmin.get(p)).status, 403, p);
    for (const c of [t.groupAdmin, t.user, t.otherUser])
      for (const p of ['/logs/deliveries', '/logs/top/senders', '/logs/stats/domains', '/logs/traffic'])
        assert.equal((await c.get(p)).status, 403, p);
  });
});
