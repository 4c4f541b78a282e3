import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { storedStructure } from '../../src/imap/stored-structure.js';
import { bodyParser } from '../../src/mailbox/message-writer.js';
import { bindListeners, closeListeners } from '../../src/server/listeners.js';
import {
  IntakeThread,
  smtpIntakeThread,
  spawnIntakeWorker,
  type IntakeBackend,
} from '../../src/smtp/intake-thread.js';
import type { IntakeWorkerData } from '../../src/smtp/intake-worker.js';
import { smtpBackend } from '../../src/smtp/smtp-services.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { PASSWORD, inbox, partialBlobs, queueSettled, send, session, waitFor } from './smtp-fixture.js';
import { SmtpWire } from './smtp-client.js';

// The SMTP listeners run on a worker thread; these are the seams between it and the main thread.
let s: TestServer;
const logLines: string[] = [];
before(async () => {
  const log = new Writable({
    write(chunk: Buffer, _e, cb) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  s = await startTestServer({ 'smtp.max_clients_per_ip': '0', 'log.level': 'info' }, { log });
  await s.app.directory.addAccount({ address: 'bob@example.test', password: PASSWORD });
});
after(async () => s.close());

test('a body of many pieces reaches the store byte for byte', async () => {
  // 3 MB: dozens of pieces between the threads, each waiting until the store has taken it.
  const line = (i: number) => `${String(i).padStart(8, '0')} ${'m'.repeat(60)}\r\n`;
  const body = `Subject: pieces\r\n\r\n${Array.from({ length: 45_000 }, (_, i) => line(i)).join('')}`;
  const { c } = await session(s);
  assert.match(await send(c, 'a@elsewhere.example', ['bob@example.test'], body), /^250 2\.0\.0 /);
  c.close();
  await queueSettled(s);
  const got = (await inbox(s, 'bob@example.test')).find((m) => m.includes('Subject: pieces'));
  assert.ok(got, 'delivered');
  const stored = got.slice(got.indexOf('Subject: pieces'));
  const digest = (t: string) => createHash('sha256').update(t).digest('hex');
  assert.equal(stored.length, body.length);
  assert.equal(digest(stored), digest(body));
});

test('a body refused after its first pieces left leaves no partial blob on the main thread', async () => {
  const { c } = await session(s);
  await c.cmd('MAIL FROM:<a@elsewhere.example>');
  await c.cmd('RCPT TO:<bob@example.test>');
  await c.cmd('DATA');
  // 200 KB of clean lines (several pieces stored), then a NUL: 554 and nothing kept.
  const reply = await c.cmd(`Subject: nul\r\n\r\n${'clean line\r\n'.repeat(20_000)}bad\0byte\r\n.`);
  assert.match(reply, /^554 5\.6\.0 /);
  assert.match(await c.cmd('NOOP'), /^250 /, 'the session goes on');
  c.close();
  assert.equal(await waitFor(async () => ((await partialBlobs(s)) === 0 ? 0 : undefined)), 0);
});

test('a body parsed on the SMTP thread is what the main thread would have stored', async () => {
  const thread = new IntakeThread(smtpBackend(s.app));
  try {
    const raw = Buffer.from(
      'From: A <a@elsewhere.example>\r\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n',
    );
    const there = await thread.parseBody(raw);
    assert.ok(Buffer.isBuffer(there.structure?.envelopeWire), 'the encoded envelope is a Buffer again');
    assert.ok(Buffer.isBuffer(there.indexed.bodyText), 'the text is a Buffer again');
    assert.deepEqual(there, await bodyParser(storedStructure)(raw));
  } finally {
    await thread.stop();
  }
  await assert.rejects(thread.parseBody(Buffer.from('x')), /exited/, 'an ended thread fails the call');
});

test('a config change is seen by the next connection', async () => {
  const { c } = await session(s);
  s.app.config.set('smtp.max_clients_per_ip', '1');
  try {
    const second = await SmtpWire.open(s.port('smtp'));
    assert.match(await second.reply(), /^421 4\.7\.0 /);
    second.close();
  } finally {
    s.app.config.set('smtp.max_clients_per_ip', '0');
    c.close();
  }
});

test('the thread’s metrics, log records and session counts reach the main thread', async () => {
  const { c } = await session(s);
  assert.match(await send(c, 'a@elsewhere.example', ['bob@example.test']), /^250 /);
  const http = s.listeners.find((l) => l.service === 'http')!.address;
  const health = await waitFor(async () => {
    const h = (await (await fetch(`http://${http}/healthz`)).json()) as {
      listeners: { service: string; connections: number }[];
    };
    return h.listeners.find((l) => l.service === 'smtp' && l.connections >= 1);
  });
  assert.ok(health);
  c.close();
  await waitFor(async () => {
    const h = (await (await fetch(`http://${http}/healthz`)).json()) as {
      listeners: { service: string; connections: number }[];
    };
    return h.listeners.find((l) => l.service === 'smtp')?.connections === 0;
  });
  const metrics = await (await fetch(`http://${http}/metrics`)).text();
  assert.match(metrics, /^mailstead_smtp_messages_total\{listener="smtp"\} [1-9]/m);
  assert.match(
    metrics,
    /^mailstead_process_process_resident_memory_bytes /m,
    'the main thread’s own metrics stay',
  );
  const queued = await waitFor(() =>
    logLines.map((l) => JSON.parse(l) as { event?: string; from?: string }).find((r) => r.event === 'queued'),
  );
  assert.equal(queued.from, 'a@elsewhere.example');
});

/** Runs `fn` with the MX port of SMTP listeners on a thread of their own over `backend`. */
async function withThread(
  backend: IntakeBackend,
  fn: (port: number) => Promise<void>,
  spawn = spawnIntakeWorker,
): Promise<void> {
  const services = smtpIntakeThread(new IntakeThread(backend, spawn));
  const bound = await bindListeners(services, s.app.config, s.app.log);
  try {
    await fn(
      Number(
        bound
          .find((l) => l.service === 'smtp')!
          .address.split(':')
          .at(-1),
      ),
    );
  } finally {
    await closeListeners(bound);
    await Promise.all(services.map((x) => x.drain(1000)));
  }
}

test('a dead SMTP thread is replaced on the same addresses; mail goes on', async () => {
  let worker: Worker | undefined;
  const spawn = (data: IntakeWorkerData) => (worker = spawnIntakeWorker(data));
  await withThread(
    smtpBackend(s.app),
    async (port) => {
      const deliver = async (subject: string) => {
        const c = await SmtpWire.open(port);
        await c.reply();
        await c.cmd('EHLO client.example.org');
        const r = await send(
          c,
          'a@elsewhere.example',
          ['bob@example.test'],
          `Subject: ${subject}\r\n\r\nx\r\n`,
        );
        c.close();
        return r;
      };
      assert.match(await deliver('before the crash'), /^250 /);
      const first = worker!;
      await first.terminate();
      await waitFor(() => worker !== first);
      await waitFor(async () =>
        (await deliver('after the crash').catch(() => '')).startsWith('250') ? true : undefined,
      );
      await queueSettled(s);
      const subjects = (await inbox(s, 'bob@example.test')).map((m) => /Subject: (.*)\r\n/.exec(m)?.[1]);
      assert.ok(subjects.includes('before the crash') && subjects.includes('after the crash'));
      const exit = logLines
        .map((l) => JSON.parse(l) as { event?: string })
        .find((r) => r.event === 'smtp_thread_exit');
      assert.ok(exit, 'the exit is logged');
    },
    spawn,
  );
});

test('RCPT asks the main thread once, whatever the recipient’s rules need', async () => {
  await s.app.directory.addAccount({
    address: 'capped@example.test',
    password: PASSWORD,
    quotaMessages: 5,
    receiveLocalOnly: true,
  });
  await s.app.directory.addAlias({
    address: 'closed@example.test',
    members: ['bob@example.test'],
    restricted: true,
    allowedSenders: ['bob@example.test', 'chair@elsewhere.example'],
  });
  // Every call the SMTP thread makes on the main thread, by name.
  const calls: string[] = [];
  const real = smtpBackend(s.app);
  const counted = new Proxy(real, {
    get(target, key: string) {
      const v = Reflect.get(target, key) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(key);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  let c: SmtpWire | undefined;
  try {
    await withThread(counted, async (port) => {
      const wire = (c = await SmtpWire.open(port));
      await wire.reply();
      await wire.cmd('EHLO client.example.org');
      const rcpt = async (to: string) => {
        calls.length = 0;
        const reply = await wire.cmd(`RCPT TO:<${to}>`);
        return { reply, calls: calls.filter((k) => k !== 'log' && k !== 'sessions') };
      };
      // A stranger: the recipient, where the sender is and the client's blacklist check, in one call.
      await wire.cmd('MAIL FROM:<chair@elsewhere.example>');
      const allowed = await rcpt('closed@example.test');
      assert.match(allowed.reply, /^250 2\.1\.5 /);
      assert.deepEqual(allowed.calls, ['recipientFacts']);
      const outside = await rcpt('capped@example.test');
      assert.match(outside.reply, /^550 5\.7\.1 .*local senders only/);
      assert.deepEqual(outside.calls, ['recipientFacts']);
      // A local sender from a trusted network: the quota and where the sender is, in the same call.
      s.app.config.set('smtp.trusted_networks', '127.0.0.0/8');
      await wire.cmd('RSET');
      await wire.cmd('MAIL FROM:<bob@example.test>');
      const capped = await rcpt('capped@example.test');
      assert.match(capped.reply, /^250 2\.1\.5 /);
      assert.deepEqual(capped.calls, ['recipientFacts']);
      const closed = await rcpt('closed@example.test');
      assert.match(closed.reply, /^550 5\.7\.1 .*allowed senders/, 'a local sender must log in to post');
      assert.deepEqual(closed.calls, ['recipientFacts']);
      wire.close();
    });
  } finally {
    c?.close();
    s.app.config.unset('smtp.trusted_networks');
  }
});
