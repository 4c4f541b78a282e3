import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../support/tmp.js';
import { password, sieveFixture, SieveWire, type SieveFixture } from './sieve-fixture.js';

const USER = 'sam@example.test';

/**
 * A SCRAM client written apart from the server, in Python's hashlib/hmac (RFC 5802 §3), speaking
 * ManageSieve over plain TCP: SCRAM sends no password, so it needs no TLS. It checks the server's
 * signature too, then lists the scripts. Prints the server's lines, one JSON string each.
 */
const CLIENT = String.raw`
import base64, hashlib, hmac, json, os, socket, sys
port, user, pw, mech = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
hname = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-1": "sha1"}[mech]
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def line():
    l = f.readline().decode().rstrip("\r\n"); print(json.dumps(l)); return l
def until_ok():
    while True:
        l = line()
        if l.startswith(("OK", "NO", "BYE")): return l
until_ok()
nonce = base64.b64encode(os.urandom(18)).decode()
first_bare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + nonce
s.sendall(('AUTHENTICATE "%s" "%s"\r\n' % (mech, base64.b64encode(("n,," + first_bare).encode()).decode())).encode())
challenge = line()
if challenge.startswith("NO"): sys.exit(0)
server_first = base64.b64decode(challenge.strip('"')).decode()
attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
assert attrs["r"].startswith(nonce)
salted = hashlib.pbkdf2_hmac(hname, pw.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
client_key = hmac.new(salted, b"Client Key", hname).digest()
stored_key = hashlib.new(hname, client_key).digest()
final_bare = "c=" + base64.b64encode(b"n,,").decode() + ",r=" + attrs["r"]
auth_message = ",".join([first_bare, server_first, final_bare]).encode()
signature = hmac.new(stored_key, auth_message, hname).digest()
proof = bytes(a ^ b for a, b in zip(client_key, signature))
final = final_bare + ",p=" + base64.b64encode(proof).decode()
s.sendall(('"%s"\r\n' % base64.b64encode(final.encode()).decode()).encode())
result = line()
if result.startswith("OK"):
    server_key = hmac.new(salted, b"Server Key", hname).digest()
    expected = "v=" + base64.b64encode(hmac.new(server_key, auth_message, hname).digest()).decode()
    got = base64.b64decode(result.split('(SASL "')[1].split('")')[0]).decode()
    print(json.dumps("server signature " + ("verified" if got == expected else "WRONG")))
    s.sendall(b"LISTSCRIPTS\r\n"); until_ok()
`;

describe('ManageSieve AUTHENTICATE SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 5802, RFC 7677)', () => {
  let f: SieveFixture;
  let port: number;
  let script: string;
  const tmp = tempDir();
  before(async () => {
    f = await sieveFixture([USER]);
    port = f.server.port('managesieve');
    script = join(tmp.dir, 'scram.py');
    writeFileSync(script, CLIENT);
  });
  after(async () => {
    await f.close();
    tmp.cleanup();
  });

  const python = (mech: string, pw = password(USER), user = USER): Promise<string[]> =>
    new Promise((resolve, reject) =>
      execFile('python3', [script, String(port), user, pw, mech], { timeout: 20_000 }, (e, out, err) =>
        e
          ? reject(new Error(`${e.message}\n${err}`))
          : resolve(
              out
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l) as string),
            ),
      ),
    );

  test('the greeting offers SCRAM before TLS, PLAIN only after it', async () => {
    const { client, greeting } = await SieveWire.open(port);
    try {
      assert.match(greeting, /"SASL" "SCRAM-SHA-256 SCRAM-SHA-1"\r\n/);
      assert.match(await client.starttls(), /"SASL" "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN"\r\n/);
    } finally {
      client.close();
    }
  });

  for (const mech of ['SCRAM-SHA-256', 'SCRAM-SHA-1']) {
    test(`${mech}: logs in, the server proves it knows the verifier, wrong passwords fail`, async () => {
      const lines = await python(mech);
      assert.ok(
        lines.some((l) => /^OK \(SASL "[A-Za-z0-9+/=]+"\) "Logged in"$/.test(l)),
        lines.join('\n'),
      );
      assert.ok(lines.includes('server signature verified'), lines.join('\n'));
      assert.match(lines.at(-1)!, /^OK "Listscripts completed"/);
      assert.match((await python(mech, 'wrong-password')).at(-1)!, /^NO "Authentication failed"$/);
      assert.match((await python(mech, 'x', 'nobody@example.test')).at(-1)!, /^NO "Authentication failed"$/);
    });
  }

  test('only verifiers are stored, and accounts without one get it at their next password login', async () => {
    const db = f.server.app.store.db;
    const id = f.ids.get(USER)!;
    const rows = await db.all<{ mechanism: string; salt: string; iterations: number }>(
      'SELECT mechanism, salt, iterations FROM scram_credentials WHERE account_id = ? ORDER BY mechanism',
      [id],
    );
    assert.deepEqual(
      rows.map((r) => [r.mechanism, Number(r.iterations), Buffer.from(r.salt, 'base64').length]),
      [
        ['SCRAM-SHA-1', 4096, 16],
        ['SCRAM-SHA-256', 4096, 16],
      ],
    );
    // An account from before verifiers were kept: SCRAM cannot work until the password is seen once.
    await db.run('DELETE FROM scram_credentials WHERE account_id = ?', [id]);
    assert.match((await python('SCRAM-SHA-256')).at(-1)!, /^NO "Authentication failed"$/);
    const { client } = await SieveWire.open(port);
    try {
      await client.starttls();
      assert.match(await client.login(USER, password(USER)), /^OK/);
    } finally {
      client.close();
    }
    assert.ok((await python('SCRAM-SHA-256')).includes('server signature verified'));
    // A new password replaces the verifiers.
    await f.server.app.directory.setPassword(USER, 'a-new-password-123');
    assert.match((await python('SCRAM-SHA-256')).at(-1)!, /^NO "Authentication failed"$/);
    assert.ok((await python('SCRAM-SHA-1', 'a-new-password-123')).includes('server signature verified'));
  });
});
