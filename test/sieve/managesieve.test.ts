import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { password, sieveFixture, SieveWire, type SieveFixture } from './sieve-fixture.js';

const USER = 'alice@example.test';

describe('ManageSieve on the wire', () => {
  let f: SieveFixture;
  let port: number;
  before(async () => {
    f = await sieveFixture([USER]);
    port = f.server.port('managesieve');
  });
  after(() => f.close());

  async function loggedIn(): Promise<SieveWire> {
    const { client } = await SieveWire.open(port);
    await client.starttls();
    assert.match(await client.login(USER, password(USER)), /^OK/);
    return client;
  }

  test('greets with capabilities; SCRAM only before TLS, PLAIN too after STARTTLS', async () => {
    const { client, greeting } = await SieveWire.open(port);
    try {
      assert.match(greeting, /^"IMPLEMENTATION" "Mailstead"\r\n/);
      assert.match(greeting, /"SASL" "SCRAM-SHA-256 SCRAM-SHA-1"\r\n/);
      assert.match(greeting, /"SIEVE" "fileinto reject [^"]*vacation/);
      assert.match(greeting, /"STARTTLS"\r\n/);
      assert.match(greeting, /"VERSION" "1.0"\r\n/);
      assert.match(greeting, /"MAXREDIRECTS" "4"\r\n/);
      assert.match(greeting, /OK "Mailstead ManageSieve ready"\r\n$/);
      assert.match(await client.login(USER, password(USER)), /^NO \(ENCRYPT-NEEDED\)/);
      assert.match(await client.cmd('LISTSCRIPTS'), /^NO "Authenticate first"/);
      const caps = await client.starttls();
      assert.match(caps, /"SASL" "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN"\r\n/);
      assert.doesNotMatch(caps, /"STARTTLS"/);
      assert.match(await client.login(USER, 'wrong'), /^NO "Authentication failed"/);
      assert.match(await client.login(USER, password(USER)), /^OK/);
      assert.match(await client.cmd('CAPABILITY'), /"OWNER" "alice@example.test"\r\nOK/);
    } finally {
      client.close();
    }
  });

  test('SASL PLAIN with a continuation, and cancelling it', async () => {
    const { client } = await SieveWire.open(port);
    try {
      await client.starttls();
      client['socket'].write('AUTHENTICATE "PLAIN"\r\n');
      await new Promise((r) => setTimeout(r, 100));
      assert.match(await client.cmd('*'), /^""\r\nNO "Authentication cancelled"/);
      client['socket'].write('AUTHENTICATE "PLAIN"\r\n');
      const b64 = Buffer.from(`\0${USER}\0${password(USER)}`).toString('base64');
      assert.match(await client.cmd(`{${b64.length}+}\r\n${b64}`), /OK "Logged in"/);
    } finally {
      client.close();
    }
  });

  test('PUTSCRIPT with literals, LISTSCRIPTS, SETACTIVE, GETSCRIPT, RENAMESCRIPT, DELETESCRIPT', async () => {
    const c = await loggedIn();
    try {
      const script = 'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n';
      assert.match(await c.cmd(`PUTSCRIPT "one" {${Buffer.byteLength(script)}+}\r\n${script}`), /^OK/);
      assert.match(await c.cmd(`PUTSCRIPT "two" {${Buffer.byteLength(script)}}\r\n${script}`), /^OK/);
      assert.equal(await c.cmd('LISTSCRIPTS'), '"one"\r\n"two"\r\nOK "Listscripts completed"\r\n');
      assert.match(await c.cmd('SETACTIVE "one"'), /^OK/);
      assert.match(await c.cmd('LISTSCRIPTS'), /^"one" ACTIVE\r\n"two"\r\n/);
      assert.equal(
        await c.cmd('GETSCRIPT "one"'),
        `{${Buffer.byteLength(script)}}\r\n${script}\r\nOK "Getscript completed"\r\n`,
      );
      assert.match(await c.cmd('DELETESCRIPT "one"'), /^NO \(ACTIVE\)/);
      assert.match(await c.cmd('RENAMESCRIPT "two" "one"'), /^NO \(ALREADYEXISTS\)/);
      assert.match(await c.cmd('RENAMESCRIPT "two" "three"'), /^OK/);
      assert.match(await c.cmd('DELETESCRIPT "three"'), /^OK/);
      assert.match(await c.cmd('GETSCRIPT "three"'), /^NO \(NONEXISTENT\)/);
      assert.match(await c.cmd('SETACTIVE ""'), /^OK/);
      assert.match(await c.cmd('DELETESCRIPT "one"'), /^OK/);
      assert.equal(await c.cmd('LISTSCRIPTS'), 'OK "Listscripts completed"\r\n');
    } finally {
      c.close();
    }
  });

  test('bad scripts are refused with line and column; CHECKSCRIPT stores nothing', async () => {
    const c = await loggedIn();
    try {
      assert.match(await c.cmd('PUTSCRIPT "bad" "ke\0ep;"'), /^NO "quoted strings cannot hold CR, LF or NUL/);
      const bad = 'keep;\r\nfileinto "x";\r\n';
      assert.match(
        await c.cmd(`PUTSCRIPT "bad" {${bad.length}+}\r\n${bad}`),
        /^NO "bad: line 2, column 1: \\"fileinto\\" requires the \\"fileinto\\" extension/,
      );
      assert.match(await c.cmd(`CHECKSCRIPT {${bad.length}+}\r\n${bad}`), /^NO "script: line 2, column 1/);
      assert.match(await c.cmd('CHECKSCRIPT "keep;"'), /^OK/);
      assert.equal(await c.cmd('LISTSCRIPTS'), 'OK "Listscripts completed"\r\n');
    } finally {
      c.close();
    }
  });

  test('HAVESPACE and the size and count quotas', async () => {
    f.server.app.config.set('sieve.max_script_size', '1K');
    f.server.app.config.set('sieve.max_scripts', '2');
    const c = await loggedIn();
    try {
      assert.match(await c.cmd('HAVESPACE "a" 100'), /^OK/);
      assert.match(await c.cmd('HAVESPACE "a" 5000'), /^NO \(QUOTA\/MAXSIZE\)/);
      const big = `# ${'x'.repeat(2000)}\r\nkeep;\r\n`;
      assert.match(await c.cmd(`PUTSCRIPT "big" {${big.length}+}\r\n${big}`), /^NO \(QUOTA\/MAXSIZE\)/);
      // A literal far over the limit is read and dropped; the session goes on.
      const huge = 'x'.repeat(64 * 1024);
      assert.match(await c.cmd(`PUTSCRIPT "huge" {${huge.length}+}\r\n${huge}`), /^NO \(QUOTA\/MAXSIZE\)/);
      assert.match(await c.cmd('NOOP "t1"'), /^OK \(TAG "t1"\) "Done"/);
      assert.match(await c.cmd('PUTSCRIPT "a" "keep;"'), /^OK/);
      assert.match(await c.cmd('PUTSCRIPT "b" "keep;"'), /^OK/);
      assert.match(await c.cmd('PUTSCRIPT "c" "keep;"'), /^NO \(QUOTA\/MAXSCRIPTS\)/);
      assert.match(
        await c.cmd('PUTSCRIPT "a" "discard;"'),
        /^OK/,
        'replacing an existing script is within quota',
      );
      for (const n of ['a', 'b']) await c.cmd(`DELETESCRIPT "${n}"`);
    } finally {
      c.close();
      f.server.app.config.set('sieve.max_script_size', '256K');
      f.server.app.config.set('sieve.max_scripts', '32');
    }
  });

  test('bad commands: unknown, wrong arguments, unbalanced quotes; UNAUTHENTICATE and LOGOUT', async () => {
    const c = await loggedIn();
    try {
      assert.match(await c.cmd('FROB'), /^NO "Unknown command FROB"/);
      assert.match(await c.cmd('GETSCRIPT'), /^NO "wrong arguments for GETSCRIPT"/);
      assert.match(await c.cmd('GETSCRIPT 12'), /^NO "wrong arguments/);
      assert.match(await c.cmd('PUTSCRIPT "a'), /^NO/);
      assert.match(await c.cmd('HAVESPACE "a" 99999999999'), /^NO "number too large"/);
      assert.match(await c.cmd('UNAUTHENTICATE'), /^OK/);
      assert.match(await c.cmd('LISTSCRIPTS'), /^NO "Authenticate first"/);
      assert.match(await c.cmd('LOGOUT'), /^OK "Logout completed"/);
    } finally {
      c.close();
    }
  });
});
