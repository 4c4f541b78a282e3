import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pop3Fixture, python, RawClient, run, testMessage, type Pop3Fixture } from './pop3-fixture.js';

describe('POP3 with Python poplib and curl', () => {
  let f: Pop3Fixture;
  before(async () => {
    f = await pop3Fixture(5);
  });
  after(() => f.close());

  it('logs in after STLS and lists, retrieves, tops and uidls', async () => {
    const r = (await python(
      f,
      `p = poplib.POP3('127.0.0.1', PORT); caps = p.capa(); p.stls(ctx); caps2 = p.capa()
p.user(USER); p.pass_(PASS)
stat = p.stat(); lst = p.list()[1]; uidl = p.uidl()[1]; msg = p.retr(2)[1]; top = p.top(3, 1)[1]
p.quit()
print(json.dumps({'caps': sorted(caps), 'caps2': sorted(caps2), 'stat': stat, 'list': [x.decode() for x in lst], 'uidl': len(uidl),
  'msg': [x.decode() for x in msg], 'top': [x.decode() for x in top]}))`,
    )) as {
      caps: string[];
      caps2: string[];
      stat: [number, number];
      list: string[];
      uidl: number;
      msg: string[];
      top: string[];
    };
    assert.ok(r.caps.includes('STLS') && !r.caps.includes('USER'), 'no USER before TLS');
    assert.ok(r.caps2.includes('USER') && r.caps2.includes('SASL') && !r.caps2.includes('STLS'));
    const size = Buffer.byteLength('Delivered-To: alice@example.test\r\n' + testMessage(1));
    assert.deepEqual(r.stat, [5, size * 5]);
    assert.deepEqual(
      r.list,
      [1, 2, 3, 4, 5].map((n) => `${n} ${size}`),
    );
    assert.equal(r.uidl, 5);
    assert.deepEqual(r.msg, [
      'Delivered-To: alice@example.test',
      ...testMessage(2).split('\r\n').slice(0, -1),
    ]);
    assert.deepEqual(r.top, [
      'Delivered-To: alice@example.test',
      ...testMessage(3).split('\r\n').slice(0, 4),
      '',
      'Body of 3',
    ]);
  });

  it('applies deletions only at QUIT', async () => {
    const r = await python(
      f,
      `p = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); p.user(USER); p.pass_(PASS)
p.dele(1); a = p.stat(); p.rset(); b = p.stat(); p.dele(5)
p.close()
import time; time.sleep(0.5)
q = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); q.user(USER); q.pass_(PASS); c = q.stat(); q.dele(5); q.quit()
q = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); q.user(USER); q.pass_(PASS); d = q.stat(); q.quit()
print(json.dumps([a[0], b[0], c[0], d[0]]))`,
    );
    assert.deepEqual(r, [4, 5, 5, 4]);
  });

  it('serves curl over STLS (pop3:// with --ssl-reqd)', async () => {
    const list = await run('curl', [
      '-s',
      '--ssl-reqd',
      '-k',
      '-u',
      `${f.user}:${f.pass}`,
      `pop3://127.0.0.1:${f.port}/`,
    ]);
    assert.equal(list.status, 0, list.stderr);
    assert.equal(list.stdout.trim().split('\r\n').length, 4);
    const one = await run('curl', [
      '-s',
      '--ssl-reqd',
      '-k',
      '-u',
      `${f.user}:${f.pass}`,
      `pop3://127.0.0.1:${f.port}/1`,
    ]);
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /^Delivered-To: alice@example.test\r\nFrom: s@example.org/);
    assert.match(one.stdout, /\r\n\.dot line\r\n/);
  });

  it('refuses USER and AUTH before STLS, and a wrong password', async () => {
    const c = await RawClient.open(f.port);
    assert.match(await c.cmd(`USER ${f.user}`), /^-ERR \[AUTH\] Plaintext/);
    assert.match(await c.cmd('AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABwdw=='), /^-ERR \[AUTH\]/);
    assert.match(await c.cmd('STAT'), /^-ERR/);
    c.close();
    const r = await python(
      f,
      `p = poplib.POP3('127.0.0.1', PORT); p.stls(ctx); p.user(USER)
try:
  p.pass_('wrong'); out = 'accepted'
except poplib.error_proto as e:
  out = e.args[0].decode()
print(json.dumps(out))`,
    );
    assert.match(r as string, /^-ERR \[AUTH\] Authentication failed/);
  });

  it('gives one session per maildrop: a second login gets [IN-USE]', async () => {
    const r = await python(
      f,
      `p = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); p.user(USER); p.pass_(PASS)
q = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); q.user(USER)
try:
  q.pass_(PASS); out = 'accepted'
except poplib.error_proto as e:
  out = e.args[0].decode()
p.quit()
r = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); r.user(USER); r.pass_(PASS); r.quit()
print(json.dumps(out))`,
    );
    assert.match(r as string, /^-ERR \[IN-USE\]/);
  });

  it('answers bad commands with -ERR and keeps the session', async () => {
    const r = (await python(
      f,
      `p = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); p.user(USER); p.pass_(PASS)
out = []
for cmd in ['FOO', 'RETR', 'RETR 0', 'RETR 99', 'TOP 1', 'LIST x', 'DELE 4294967296', 'X' * 300, 'USER again']:
  try:
    out.append(p._shortcmd(cmd).decode())
  except poplib.error_proto as e:
    out.append(e.args[0].decode()[:4])
out.append(p.noop().decode()); p.quit()
print(json.dumps(out))`,
    )) as string[];
    assert.deepEqual(r, ['-ERR', '-ERR', '-ERR', '-ERR', '-ERR', '-ERR', '-ERR', '-ERR', '-ERR', '+OK']);
  });

  it('authenticates with SASL PLAIN, with and without an initial response', async () => {
    const r = await python(
      f,
      `import base64
tok = base64.b64encode(b'\\0' + USER.encode() + b'\\0' + PASS.encode()).decode()
p = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); a = p._shortcmd('AUTH PLAIN ' + tok).decode(); p.quit()
p = poplib.POP3_SSL('127.0.0.1', TLS_PORT, context=ctx); p._putcmd('AUTH PLAIN'); cont = p._getline()[0].decode(); b = p._shortcmd(tok).decode(); p.quit()
print(json.dumps([a[:3], cont, b[:3]]))`,
    );
    assert.deepEqual(r, ['+OK', '+ ', '+OK']);
  });
});

describe('POP3 pipelining', () => {
  let f: Pop3Fixture;
  const prefix = 'Delivered-To: alice@example.test\r\n';
  // Over 256 KiB, so it is streamed rather than read ahead with the small ones.
  const big = `Subject: big\r\n\r\n${'.x\r\n'.repeat(80_000)}`;
  before(async () => {
    f = await pop3Fixture(5, { 'auth.allow_plaintext': 'true' });
    const { app } = f.server;
    const account = await app.directory.getAccount(f.user);
    await app.mailbox.deliver({
      accountId: account!.id,
      blob: await app.store.blobs.put(Buffer.from(big)),
      prefix: Buffer.from(prefix),
      dedupeKey: 'big',
    });
  });
  after(() => f.close());

  it('answers RETRs sent in one write in order, each message whole and dot-stuffed', async () => {
    const c = await RawClient.open(f.port);
    assert.match(await c.cmd(`USER ${f.user}`), /^\+OK/);
    assert.match(await c.cmd(`PASS ${f.pass}`), /^\+OK/);
    const retr = (text: string) =>
      `+OK ${Buffer.byteLength(prefix + text)} octets\r\n${(prefix + text).replace(/^\./gm, '..')}.\r\n`;
    const steps: Array<[string, string]> = [
      ...[1, 2, 3, 4, 5].map((n): [string, string] => [`RETR ${n}`, retr(testMessage(n))]),
      ['RETR 9', '-ERR No such message\r\n'],
      ['DELE 2', '+OK Message 2 deleted\r\n'],
      ['RETR 2', '-ERR No such message\r\n'],
      ['RETR 6', retr(big)],
      ['RETR 3', retr(testMessage(3))],
      ['QUIT', '+OK Bye, 1 messages deleted\r\n'],
    ];
    c.socket.write(steps.map(([cmd]) => cmd + '\r\n').join(''));
    const expected = steps.map(([, reply]) => reply).join('');
    const got = await c.until((t) => t.length >= expected.length, 10_000);
    assert.equal(got.length, expected.length);
    assert.ok(got === expected, 'replies differ from the expected transcript');
    c.close();
  });
});
