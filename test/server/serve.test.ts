import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir } from '../support/tmp.js';
import { initDataDir } from '../../src/cli/init.js';

function firstLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\n')) {
        s.destroy();
        resolve(buf.split('\n')[0]!.trimEnd());
      }
    });
    s.on('error', reject);
  });
}

describe('mailstead serve', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('binds every listener key', () => {
    const services = server.listeners.map((l) => l.service).sort();
    for (const s of [
      'http',
      'imap',
      'imaps',
      'managesieve',
      'pop3',
      'pop3s',
      'smtp',
      'submission',
      'submissions',
    ]) {
      assert.ok(services.includes(s), `${s} is listening`);
    }
  });

  test('/healthz lists listeners and /metrics speaks Prometheus', async () => {
    const base = `http://127.0.0.1:${server.port('http')}`;
    const h = (await (await fetch(`${base}/healthz`)).json()) as {
      status: string;
      listeners: { service: string }[];
    };
    assert.equal(h.status, 'ok');
    assert.ok(h.listeners.some((l) => l.service === 'smtp'));
    const m = await (await fetch(`${base}/metrics`)).text();
    assert.match(m, /^# HELP /m);
  });

  test('each protocol listener greets in its own protocol', async () => {
    assert.match(await firstLine(server.port('smtp')), /^(220|421) /);
    assert.match(await firstLine(server.port('imap')), /^\* (OK|BYE) /);
    assert.match(await firstLine(server.port('pop3')), /^(\+OK|-ERR) /);
  });

  test('a user added with the CLI exists for the running server at once', async () => {
    assert.equal((await cli(server.dir, 'domain', 'add', 'live.example.test')).code, 0);
    assert.equal(
      (await cli(server.dir, 'user', 'add', 'new@live.example.test', '--password', 'a-long-password-1')).code,
      0,
    );
    const acc = await server.app.directory.authenticate('new@live.example.test', 'a-long-password-1', {
      ip: '127.0.0.1',
      protocol: 'test',
    });
    assert.equal(acc.address, 'new@live.example.test');
  });
});

describe('operator errors at start-up', () => {
  test('a port in use names the key to change', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startTestServer({ 'listen.imap': `127.0.0.1:${port}` }), (e: Error) => {
        assert.equal(
          e.message,
          `listen.imap: 127.0.0.1:${port} is already in use; change it with \`mailstead config set listen.imap HOST:PORT\` (or \`off\`)`,
        );
        return true;
      });
    } finally {
      blocker.close();
    }
  });
});

describe('the mailstead command', () => {
  test('serve runs in the foreground, prints listeners, and exits 0 on SIGTERM', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await initDataDir(dir, { hostname: 'mail.example.test' });
      for (const k of [
        'smtp',
        'submission',
        'submissions',
        'imap',
        'imaps',
        'pop3',
        'pop3s',
        'managesieve',
        'http',
      ]) {
        await cli(dir, 'config', 'set', `listen.${k}`, '127.0.0.1:0');
      }
      await cli(dir, 'config', 'set', 'log.format', 'json');
      const child = spawn(process.execPath, ['bin/mailstead.js', 'serve', '--data', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        // Loading every module takes 2.5-3 s of CPU; on a machine loaded 10x over its cores that
        // was 7-9.5 s of wall time, so the bound only catches a start that hangs.
        const t = setTimeout(() => reject(new Error(`no start within 30 s: ${out}`)), 30_000);
        child.stdout.on('data', (d) => {
          out += d.toString();
          if (out.includes('Admin login:')) {
            clearTimeout(t);
            resolve();
          }
        });
        child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
      });
      assert.match(out, /Mailstead is running/);
      assert.match(out, /smtp\s+127\.0\.0\.1:\d+/);
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      assert.equal(code, 0);
    } finally {
      cleanup();
    }
  });

  test('without a data dir it says to run init, without a stack trace', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const child = spawn(process.execPath, ['bin/mailstead.js', 'serve', '--data', `${dir}/missing`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      assert.equal(code, 1);
      assert.match(
        err,
        /^mailstead serve: .* is not a Mailstead data directory; run `mailstead init --data .*` first\n$/,
      );
    } finally {
      cleanup();
    }
  });
});
