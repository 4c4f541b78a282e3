import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { tempDir } from '../support/tmp.js';
import { ALICE, ImapClient, imapFixture, message, type ImapFixture } from './fixture.js';

function run(
  cmd: string,
  args: string[],
  input?: string,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function serverCertificate(port: number): Promise<string> {
  const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await new Promise((r, j) => s.once('secureConnect', r).once('error', j));
  const der = s.getPeerCertificate().raw;
  s.destroy();
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}

const hasCommand = (name: string) =>
  ['/usr/bin', '/usr/local/bin', '/bin'].some((d) => existsSync(join(d, name)));

describe('imap with real clients', () => {
  let f: ImapFixture;
  before(async () => (f = await imapFixture(3)));
  after(() => f.close());

  it("Python's imaplib over implicit TLS and STARTTLS", async () => {
    const script = `
import imaplib, ssl, json
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
out = {}
m = imaplib.IMAP4_SSL('127.0.0.1', ${f.tlsPort}, ssl_context=ctx)
m.login('${ALICE.user}', '${ALICE.pass}')
typ, data = m.select('INBOX'); out['select'] = [typ, data[0].decode()]
typ, data = m.recent(); out['recent'] = data[0].decode()
typ, data = m.search(None, 'SUBJECT', '"message 2"'); out['search'] = data[0].decode()
typ, data = m.fetch('1', '(RFC822)'); out['fetch'] = data[0][1].decode().split('\\r\\n')[2]
typ, data = m.append('INBOX', '(\\\\Seen)', None, b'Subject: from imaplib\\r\\n\\r\\nhi\\r\\n'); out['append'] = typ
typ, data = m.list(); out['list'] = len(data)
m.create('FromPython'); typ, data = m.copy('1:2', 'FromPython'); out['copy'] = typ
m.store('1', '+FLAGS', '\\\\Deleted'); typ, data = m.expunge(); out['expunge'] = [d.decode() for d in data]
m.logout()
s = imaplib.IMAP4('127.0.0.1', ${f.port}); s.starttls(ssl_context=ctx); s.login('${ALICE.user}', '${ALICE.pass}')
typ, data = s.status('INBOX', '(MESSAGES RECENT)'); out['status'] = data[0].decode(); s.logout()
print(json.dumps(out))`;
    const r = await run('python3', ['-c', script]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      select: ['OK', '3'],
      recent: '3',
      search: '2',
      fetch: 'Subject: message 1',
      append: 'OK',
      list: 6,
      copy: 'OK',
      expunge: ['1'],
      status: 'INBOX (MESSAGES 3 RECENT 0)',
    });
  });

  it('imapflow (npm): fetch, flags, move, IDLE notification of a delivery', async () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: f.tlsPort,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: ALICE.user, pass: ALICE.pass },
      logger: false,
    });
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const subjects: string[] = [];
      for await (const msg of client.fetch('1:*', { envelope: true, flags: true, uid: true }))
        subjects.push(msg.envelope?.subject ?? '');
      assert.ok(subjects.includes('message 2'), subjects.join());
      await client.messageFlagsAdd('1', ['\\Flagged']);
      const one = await client.fetchOne('1', { flags: true, bodyStructure: true, source: true });
      assert.ok(one && one.flags?.has('\\Flagged'));
      assert.match(one && one.source ? one.source.toString() : '', /^From: /);
      const exists = new Promise<number>((resolve) =>
        client.on('exists', (d: { count: number }) => resolve(d.count)),
      );
      const before = client.mailbox ? client.mailbox.exists : 0;
      void client.idle();
      await new Promise((r) => setTimeout(r, 100));
      await f.deliver(f.accounts.alice, message(42));
      assert.equal(await exists, before + 1);
      // The next command ends IDLE (imapflow sends DONE first).
      const moved = await client.messageMove('1', 'Archive');
      assert.ok(moved && moved.uidMap && moved.uidMap.size === 1);
    } finally {
      lock.release();
    }
    await client.logout();
  });

  it("curl's imap:// lists, fetches and searches", async (t) => {
    if (!hasCommand('curl')) return t.skip('curl is not installed');
    const base = `imap://127.0.0.1:${f.port}`;
    const auth = ['--user', `${ALICE.user}:${ALICE.pass}`, '-s'];
    const list = await run('curl', [...auth, `${base}/`]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /\* LIST \(\\HasNoChildren\) "\/" INBOX/);
    const uid = /\* SEARCH (\d+)/.exec(
      (await run('curl', [...auth, `${base}/INBOX`, '-X', 'UID SEARCH SUBJECT "message 3"'])).stdout,
    )![1];
    const msg = await run('curl', [...auth, `${base}/INBOX;UID=${uid}`]);
    assert.match(msg.stdout, /Subject: message 3/);
    const examine = await run('curl', [...auth, `${base}/`, '-X', 'EXAMINE INBOX']);
    assert.match(examine.stdout, /\* OK \[UIDVALIDITY \d+\]/);
  });

  it('mbsync syncs a mailbox both ways', async (t) => {
    if (!hasCommand('mbsync')) return t.skip('mbsync (isync) is not installed');
    const { dir, cleanup } = tempDir('mailstead-mbsync-');
    try {
      const local = join(dir, 'mail');
      mkdirSync(local);
      const rc = join(dir, 'mbsyncrc');
      // mbsync trusts a self-signed server certificate listed in CertificateFile.
      const cert = join(dir, 'server.pem');
      writeFileSync(cert, await serverCertificate(f.tlsPort));
      writeFileSync(
        rc,
        `IMAPAccount test\nHost 127.0.0.1\nPort ${f.tlsPort}\nUser ${ALICE.user}\nPass ${ALICE.pass}\nSSLType IMAPS\nCertificateFile ${cert}\nSystemCertificates no\n\n` +
          `IMAPStore remote\nAccount test\n\nMaildirStore local\nPath ${local}/\nInbox ${local}/INBOX\nSubFolders Verbatim\n\n` +
          `Channel sync\nFar :remote:\nNear :local:\nPatterns INBOX Sent\nCreate Both\nExpunge Both\nSyncState *\n`,
      );
      let r = await run('mbsync', ['-c', rc, '-a']);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const pulled =
        readdirSync(join(local, 'INBOX', 'cur')).length + readdirSync(join(local, 'INBOX', 'new')).length;
      const remote = await ImapClient.login(f.port);
      const st = /MESSAGES (\d+)/.exec((await remote.cmd('STATUS INBOX (MESSAGES)'))[0]!)![1];
      assert.equal(pulled, Number(st));
      writeFileSync(
        join(local, 'Sent', 'new', `1700000000.local.host`),
        'Subject: written locally\r\nFrom: a@example.test\r\n\r\nhello\r\n',
      );
      r = await run('mbsync', ['-c', rc, '-a']);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      await remote.cmd('SELECT Sent');
      assert.match((await remote.cmd('SEARCH SUBJECT "written locally"'))[0]!, /^\* SEARCH \d+$/);
      remote.close();
    } finally {
      cleanup();
    }
  });
});
