import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from './api-client.js';

/** The first line a server sends on a fresh connection, or the connection error's code. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setEncoding('utf8');
    s.once('data', (d: string) => {
      resolve(d.split('\r\n')[0]!);
      s.destroy();
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('api: service start / stop / restart', () => {
  let t: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    t = await startApiServer();
  });
  after(() => t.server.close());

  const state = async (name: string) =>
    (await t.admin.get('/status')).body.services.find((s: any) => s.service === name);

  test('status lists every service running, with addresses and connections', async () => {
    const s = await t.admin.get('/status');
    const names = s.body.services.map((x: any) => x.service);
    for (const n of ['smtp', 'submission', 'imap', 'pop3', 'managesieve', 'http'])
      assert.ok(names.includes(n), n);
    const http = s.body.services.find((x: any) => x.service === 'http');
    assert.equal(http.state, 'running');
    assert.match(http.addresses[0], /^127\.0\.0\.1:\d+$/);
    assert.ok(http.connections >= 1);
    assert.equal(http.controllable, false);
  });

  test('stopping IMAP closes its port and ends open sessions; starting it serves again', async () => {
    const port = t.server.port('imap');
    assert.match(await greeting(port), /^\* OK/);
    const open = connect(port, '127.0.0.1');
    const ended = new Promise<void>((r) => open.once('close', () => r()));
    open.on('error', () => undefined);
    await new Promise((r) => open.once('data', r));
    const stopped = await t.admin.post('/services/imap/stop');
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.state, 'stopped');
    await ended;
    assert.equal(await greeting(port), 'ECONNREFUSED');
    assert.equal((await state('imap')).state, 'stopped');
    assert.equal((await t.admin.post('/services/imap/stop')).status, 409, 'already stopped');
    const started = await t.admin.post('/services/imap/start');
    assert.equal(started.body.state, 'running');
    assert.match(await greeting(t.server.port('imap')), /^\* OK/);
    assert.equal((await t.admin.post('/services/imap/start')).status, 409, 'already running');
  });

  test('restarting SMTP re-binds it, and the new listener takes mail greetings', async () => {
    const r = await t.admin.post('/services/smtp/restart');
    assert.equal(r.status, 200);
    assert.equal(r.body.state, 'running');
    assert.equal(Number(r.body.addresses[0].split(':')[1]), t.server.port('smtp'));
    assert.match(await greeting(t.server.port('smtp')), /^220 /);
  });

  test('the HTTP listener, unknown services and unknown actions are refused', async () => {
    const r = await t.admin.post('/services/http/stop');
    assert.equal(r.status, 409);
    assert.match(r.body.error, /administration interface/);
    assert.equal((await state('http')).state, 'running');
    assert.equal((await t.admin.post('/services/nope/stop')).status, 404);
    assert.equal((await t.admin.post('/services/imap/explode')).status, 400);
  });

  test('only a server admin may see or switch services, and a session needs the CSRF token', async () => {
    for (const c of [t.domainAdmin, t.groupAdmin, t.user]) {
      assert.equal((await c.get('/status')).status, 403);
      assert.equal((await c.post('/services/pop3/stop')).status, 403);
    }
    assert.equal((await t.admin.call('POST', '/services/pop3/stop', {}, { csrf: false })).status, 403);
    assert.equal((await state('pop3')).state, 'running');
    assert.match(await greeting(t.server.port('pop3')), /^\+OK/);
  });
});
