import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { EICAR, startClamd, type Clamd } from '../scan/clamd-fixture.js';
import { startApiServer } from './api-client.js';

describe('api: antivirus page, quarantine and the dashboard scan counts (a real clamd)', () => {
  let clamd: Clamd;
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    clamd = await startClamd();
    t = await startApiServer({ 'antivirus.clamd': clamd.address, 'antivirus.quarantine': 'yes' });
  });
  after(async () => {
    await t?.server.close();
    await clamd?.stop();
  });

  const send = (subject: string, text: string) =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port: t.server.port('smtp'), secure: false, ignoreTLS: true })
      .sendMail({ from: 'someone@example.org', to: 'seller@a.test', subject, text });

  test('status shows clamd reachable with its engine and signature database, and the settings', async () => {
    const r = await t.admin.get('/antivirus');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.scanning, true);
    assert.equal(r.body.clamd.address, clamd.address);
    assert.equal(r.body.clamd.reachable, true);
    assert.match(r.body.clamd.version.engine, /^ClamAV \d/);
    assert.equal(typeof r.body.clamd.stats.threads.max, 'number');
    assert.equal(r.body.quarantine, true);
    assert.equal(r.body.failOpen, false);
  });

  test('an infected message is refused, quarantined, listed and counted; a clean one is counted too', async () => {
    await assert.rejects(send('eicar', EICAR), /554/);
    await send('hello', 'a clean message');
    const q = await t.admin.get('/antivirus/quarantine');
    assert.equal(q.body.length, 1);
    assert.match(q.body[0].virus, /Eicar/i);
    assert.deepEqual(q.body[0].recipients, ['seller@a.test']);
    const activity = (await t.admin.get('/scan/activity?hours=2')).body;
    assert.equal(activity.length, 2);
    const now = activity.at(-1);
    assert.equal(now.virus.infected, 1);
    assert.equal(now.virus.clean, 1);
    assert.equal(
      Object.values<number>(now.spam).reduce((a, b) => a + b, 0),
      1,
      JSON.stringify(now.spam),
    );
    // Counts survive a flush to the database (what a restart keeps).
    await t.server.app.scan.counts.flush();
    assert.deepEqual((await t.admin.get('/scan/activity?hours=2')).body, activity);
    assert.equal((await t.admin.delete(`/antivirus/quarantine/${q.body[0].id}`)).status, 200);
    assert.equal((await t.admin.get('/antivirus/quarantine')).body.length, 0);
    assert.equal((await t.admin.delete(`/antivirus/quarantine/${q.body[0].id}`)).status, 404);
  });

  test('clamd down is shown as unreachable with the reason', async () => {
    t.server.app.config.set('antivirus.clamd', '127.0.0.1:1');
    try {
      const r = await t.admin.get('/antivirus');
      assert.equal(r.body.clamd.reachable, false);
      assert.match(r.body.clamd.error, /ECONNREFUSED/);
    } finally {
      t.server.app.config.set('antivirus.clamd', clamd.address);
    }
  });

  test("the message trace shows each message's virus result: clean, or not scanned when clamd was down", async () => {
    const queued = async (subject: string) =>
      /queued as ([0-9B-Z]{15})/.exec((await send(subject, 'fine')).response)![1]!;
    const trace = async (id: string) => (await t.admin.get(`/trace?queueId=${id}`)).body.messages[0];
    const clean = await trace(await queued('scanned clean'));
    assert.equal(clean.virus, 'clean');
    assert.match(
      clean.events.find((e: { stage: string }) => e.stage === 'scanned').detail,
      /; virus scan: clean$/,
    );
    t.server.app.config.set('antivirus.clamd', '127.0.0.1:1');
    t.server.app.config.set('antivirus.fail_open', 'yes');
    try {
      const unscanned = await trace(await queued('clamd is down'));
      assert.equal(unscanned.virus, 'unavailable');
      assert.match(
        unscanned.events.find((e: { stage: string }) => e.stage === 'scanned').detail,
        /virus scan: not done, clamd unavailable/,
      );
    } finally {
      t.server.app.config.set('antivirus.clamd', clamd.address);
      t.server.app.config.set('antivirus.fail_open', 'no');
    }
  });

  test('only server admins see the antivirus page, the quarantine and scan counts', async () => {
    for (const c of [t.domainAdmin, t.groupAdmin, t.user]) {
      for (const p of ['/antivirus', '/antivirus/quarantine', '/scan/activity'])
        assert.equal((await c.get(p)).status, 403, p);
      assert.equal((await c.delete('/antivirus/quarantine/x')).status, 403);
    }
    assert.equal(
      (await t.admin.call('DELETE', '/antivirus/quarantine/x', undefined, { csrf: false })).status,
      403,
    );
  });
});
