import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Config, CONFIG_FILE } from '../../src/config/config.js';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('mailstead config', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => {
    ({ dir, cleanup } = tempDir());
    Config.create(dir, { 'server.hostname': 'mail.example.test' });
  });
  after(() => cleanup());

  test('get prints the value, default or set', async () => {
    assert.equal((await cli(dir, 'config', 'get', 'server.hostname')).out, 'mail.example.test');
    assert.equal((await cli(dir, 'config', 'get', 'listen.imap')).out, '127.0.0.1:2143');
  });

  test('set validates, saves and reports restart-only keys', async () => {
    const r = await cli(dir, 'config', 'set', 'listen.smtp', '127.0.0.1:2525,127.0.0.1:2025');
    assert.equal(r.code, 0);
    assert.match(r.out, /listen.smtp = 127.0.0.1:2525, 127.0.0.1:2025 \(a running server needs a restart/);
    assert.deepEqual(Config.open(dir).get('listen.smtp'), [
      { host: '127.0.0.1', port: 2525 },
      { host: '127.0.0.1', port: 2025 },
    ]);
    assert.equal((await cli(dir, 'config', 'set', 'listen.pop3', 'off')).code, 0);
    assert.deepEqual(Config.open(dir).get('listen.pop3'), []);
  });

  for (const [key, value, message] of [
    ['no.such.key', '1', 'mailstead config: unknown key no.such.key (see `mailstead config list`)'],
    ['listen.smtp', '127.0.0.1:70000', 'mailstead config: listen.smtp: port 70000 is out of range 0..65535'],
    ['listen.smtp', 'localhost', 'mailstead config: listen.smtp: "localhost" is not HOST:PORT'],
    ['auth.ip_max_failures', 'ten', 'mailstead config: auth.ip_max_failures: "ten" is not an integer'],
    [
      'auth.lockout_time',
      'soon',
      'mailstead config: auth.lockout_time: "soon" is not a duration (e.g. 300s, 5m, 4h, 5d)',
    ],
    [
      'log.level',
      'loud',
      'mailstead config: log.level: "loud" is not one of trace, debug, info, warn, error, fatal',
    ],
  ] as const) {
    test(`set ${key} ${value} is refused with one line and changes nothing`, async () => {
      const before = readFileSync(join(dir, CONFIG_FILE), 'utf8');
      const r = await cli(dir, 'config', 'set', key, value);
      assert.equal(r.code, 1);
      assert.equal(r.err, message);
      assert.equal(readFileSync(join(dir, CONFIG_FILE), 'utf8'), before);
    });
  }

  test('list shows every key; --json parses', async () => {
    const r = await cli(dir, 'config', 'list', '--json');
    const rows = JSON.parse(r.out) as { key: string }[];
    assert.ok(rows.some((x) => x.key === 'listen.managesieve'));
  });

  test('a missing data dir says to run init', async () => {
    const r = await cli(join(dir, 'nope'), 'config', 'get', 'server.hostname');
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /is not a Mailstead data directory \(no mailstead.toml\); run `mailstead init --data .*` first/,
    );
  });

  test('a broken config file names the key', async () => {
    const { dir: d2, cleanup: c2 } = tempDir();
    try {
      Config.create(d2, {});
      const f = join(d2, CONFIG_FILE);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(f, '[listen]\nsmtp = "nowhere"\n');
      const r = await cli(d2, 'config', 'get', 'server.hostname');
      assert.equal(r.code, 1);
      assert.match(r.err, /mailstead.toml: listen.smtp: "nowhere" is not HOST:PORT/);
    } finally {
      c2();
    }
  });

  test('a running server sees edits through watch()', async () => {
    const c = Config.open(dir);
    c.watch();
    try {
      // The watcher does not keep the process alive (unref); the time limit does, while we wait.
      const changed = new Promise<string[]>((resolve, reject) => {
        const limit = setTimeout(() => reject(new Error('no change event within 5 s')), 5000);
        c.once('change', (defs: { key: string }[]) => {
          clearTimeout(limit);
          resolve(defs.map((d) => d.key));
        });
      });
      await cli(dir, 'config', 'set', 'server.hostname', 'mx.example.test');
      assert.deepEqual(await changed, ['server.hostname']);
      assert.equal(c.get('server.hostname'), 'mx.example.test');
    } finally {
      c.close();
    }
  });
});
