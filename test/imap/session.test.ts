import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, ImapClient, imapFixture, type ImapFixture } from './fixture.js';

describe('imap session: greeting, state machine, bad input', () => {
  let f: ImapFixture;
  before(async () => (f = await imapFixture(2)));
  after(() => f.close());

  it('greets with the capabilities, STARTTLS on the plain port', async () => {
    const c = await ImapClient.open(f.port);
    assert.match(
      c.greeting,
      /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN AUTH=LOGIN .*\] Mailstead IMAP ready\r\n$/,
    );
    c.close();
  });

  it('refuses commands in the wrong state with BAD and keeps the connection', async () => {
    const c = await ImapClient.open(f.port);
    assert.equal(await c.status('SELECT INBOX'), 'BAD SELECT is not allowed before login');
    assert.equal(await c.status('FETCH 1 FLAGS'), 'BAD FETCH is not allowed before login');
    assert.equal(await c.status('UID FETCH 1 FLAGS'), 'BAD UID FETCH is not allowed before login');
    await c.cmd(`LOGIN ${ALICE.user} ${ALICE.pass}`);
    assert.equal(await c.status('FETCH 1 FLAGS'), 'BAD FETCH is not allowed without a selected mailbox');
    assert.equal(await c.status('CLOSE'), 'BAD CLOSE is not allowed without a selected mailbox');
    assert.equal(await c.status(`LOGIN ${ALICE.user} ${ALICE.pass}`), 'BAD LOGIN is not allowed after login');
    assert.equal(await c.status('NOOP'), 'OK NOOP completed');
    c.close();
  });

  it('answers malformed commands with BAD: unknown, unbalanced parentheses, bad sequence sets', async () => {
    const c = await ImapClient.login(f.port);
    assert.match(await c.status('FROBNICATE'), /^BAD Unknown command FROBNICATE/);
    await c.cmd('SELECT INBOX');
    assert.match(await c.status('FETCH 1 (FLAGS UID'), /^BAD /);
    assert.match(await c.status('FETCH 1 FLAGS)'), /^BAD /);
    assert.match(await c.status('FETCH 0 FLAGS'), /^BAD /);
    assert.match(await c.status('FETCH 1:4294967296 FLAGS'), /^BAD /);
    assert.equal(await c.status('FETCH 1:4294967295 FLAGS'), 'BAD Invalid message sequence number');
    const uid = await c.cmd('UID FETCH 1:4294967295 FLAGS');
    assert.deepEqual(uid.slice(0, 2), [
      '* 1 FETCH (FLAGS (\\Recent) UID 1)',
      '* 2 FETCH (FLAGS (\\Recent) UID 2)',
    ]);
    assert.match(await c.status('SEARCH (UNSEEN'), /^BAD /);
    assert.match(await c.status('STORE 1 +FLAGS (\\Bogus"'), /^BAD /);
    assert.equal(await c.status('NOOP'), 'OK NOOP completed');
    c.close();
  });

  it('refuses a 2 GB literal without reading it: NO [TOOBIG] for APPEND, then carries on', async () => {
    const c = await ImapClient.login(f.port);
    const r = await c.cmd('APPEND INBOX {2147483648}');
    assert.match(r.at(-1)!, /^t\d+ NO \[TOOBIG\]/);
    assert.doesNotMatch(r.join('\n'), /^\+/m);
    assert.match(await c.status('CREATE {2147483648}'), /^BAD \[TOOBIG\]/);
    assert.equal(await c.status('NOOP'), 'OK NOOP completed');
    c.close();
  });

  it('closes the connection on a 2 GB non-synchronizing literal (it cannot be skipped)', async () => {
    const c = await ImapClient.login(f.port);
    c.write('x1 APPEND INBOX {2147483648+}\r\n');
    assert.match(await c.waitFor(/\* BYE/), /\* BYE \[TOOBIG\]/);
    await c.closed();
  });

  it('LOGOUT says BYE then OK and closes', async () => {
    const c = await ImapClient.login(f.port);
    assert.deepEqual(await c.cmd('LOGOUT'), ['* BYE Logging out', 't2 OK LOGOUT completed']);
    await c.closed();
  });

  it('wrong password: NO [AUTHENTICATIONFAILED]', async () => {
    const c = await ImapClient.open(f.port);
    assert.equal(
      await c.status(`LOGIN ${ALICE.user} wrong-password`),
      'NO [AUTHENTICATIONFAILED] authentication failed',
    );
    c.close();
  });
});

describe('imap session: TLS and authentication', () => {
  let f: ImapFixture;
  before(async () => (f = await imapFixture(0, { 'auth.allow_plaintext': 'false' })));
  after(() => f.close());

  it('LOGINDISABLED until STARTTLS; plaintext LOGIN refused with PRIVACYREQUIRED', async () => {
    const c = await ImapClient.open(f.port);
    assert.match(c.greeting, /STARTTLS LOGINDISABLED/);
    assert.doesNotMatch(c.greeting, /AUTH=PLAIN/);
    assert.equal(
      await c.status(`LOGIN ${ALICE.user} ${ALICE.pass}`),
      'NO [PRIVACYREQUIRED] Plaintext authentication is disabled on an insecure connection; use STARTTLS',
    );
    assert.match(await c.status('AUTHENTICATE PLAIN'), /^NO \[PRIVACYREQUIRED\]/);
    assert.equal(await c.status('STARTTLS'), 'OK Begin TLS negotiation now');
    await c.startTls();
    const caps = await c.cmd('CAPABILITY');
    assert.doesNotMatch(caps[0]!, /STARTTLS|LOGINDISABLED/);
    assert.match(caps[0]!, /AUTH=PLAIN AUTH=LOGIN/);
    assert.match(await c.status(`LOGIN ${ALICE.user} ${ALICE.pass}`), /^OK \[CAPABILITY .*\] Logged in$/);
    c.close();
  });

  it('drops commands pipelined in the clear after STARTTLS', async () => {
    const c = await ImapClient.open(f.port);
    c.write('s1 STARTTLS\r\ns2 LOGIN injected x\r\n');
    assert.match(await c.waitFor(/s1 OK[^\r]*\r\n/), /s1 OK/);
    await c.startTls();
    assert.equal(await c.status('NOOP'), 'OK NOOP completed');
    assert.doesNotMatch(c.text, /s2/);
    c.close();
  });

  it('implicit TLS port: AUTHENTICATE PLAIN with SASL-IR, and with a continuation', async () => {
    const c = await ImapClient.open(f.tlsPort, true);
    assert.doesNotMatch(c.greeting, /STARTTLS/);
    const ir = Buffer.from(`\0${ALICE.user}\0${ALICE.pass}`).toString('base64');
    assert.match(await c.status(`AUTHENTICATE PLAIN ${ir}`), /^OK \[CAPABILITY .*\] Logged in$/);
    c.close();
    const d = await ImapClient.open(f.tlsPort, true);
    d.write('a AUTHENTICATE PLAIN\r\n');
    assert.equal(await d.waitFor(/\r\n/), '+ \r\n');
    d.write(ir + '\r\n');
    assert.match(await d.waitFor(/a OK[^\r]*\r\n/), /a OK \[CAPABILITY/);
    d.close();
  });

  it('AUTHENTICATE LOGIN; cancelled exchanges answer BAD', async () => {
    const c = await ImapClient.open(f.tlsPort, true);
    c.write('a AUTHENTICATE LOGIN\r\n');
    assert.equal(await c.waitFor(/\r\n/), '+ VXNlcm5hbWU6\r\n');
    c.write(Buffer.from(ALICE.user).toString('base64') + '\r\n');
    assert.equal(await c.waitFor(/\r\n/), '+ UGFzc3dvcmQ6\r\n');
    c.write(Buffer.from(ALICE.pass).toString('base64') + '\r\n');
    assert.match(await c.waitFor(/a (OK|NO)[^\r]*\r\n/), /a OK/);
    c.close();
    const d = await ImapClient.open(f.tlsPort, true);
    d.write('b AUTHENTICATE PLAIN\r\n');
    await d.waitFor(/\r\n/);
    d.write('*\r\n');
    assert.equal(await d.waitFor(/b [A-Z]+[^\r]*\r\n/), 'b BAD Authentication cancelled\r\n');
    assert.equal(await d.status('NOOP'), 'OK NOOP completed');
    assert.match(await d.status('AUTHENTICATE CRAM-MD5'), /^NO \[CANNOT\]/);
    d.close();
  });
});

describe('imap session: limits', () => {
  let f: ImapFixture;
  before(
    async () =>
      (f = await imapFixture(0, {
        'imap.max_connections_per_ip': '3',
        'imap.max_connections_per_account': '1',
        'imap.idle_timeout': '1s',
      })),
  );
  after(() => f.close());

  it('refuses connections over the per-address limit with BYE [UNAVAILABLE]', async () => {
    const open = [
      await ImapClient.open(f.port),
      await ImapClient.open(f.port),
      await ImapClient.open(f.port),
    ];
    const extra = await ImapClient.open(f.port);
    assert.match(extra.greeting, /^\* BYE \[UNAVAILABLE\] Too many connections from your address/);
    for (const c of open) c.close();
    extra.close();
  });

  it('refuses a second session of one account with NO [LIMIT]', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const a = await ImapClient.login(f.port);
    const b = await ImapClient.open(f.port);
    assert.equal(
      await b.status(`LOGIN ${ALICE.user} ${ALICE.pass}`),
      'NO [LIMIT] Too many sessions for this account',
    );
    a.close();
    b.close();
  });

  it('closes an idle session after imap.idle_timeout with BYE', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const c = await ImapClient.open(f.port);
    assert.match(await c.waitFor(/\* BYE/, 3000), /\* BYE Idle timeout/);
    c.close();
  });
});
