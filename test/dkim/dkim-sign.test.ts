import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { dnsRecord, DkimService, fromDomain } from '../../src/dkim/dkim-service.js';
import { silentLogger } from '../../src/log/logger.js';
import { migrate } from '../../src/store/migrate.js';
import { dkimSchema } from '../../src/store/dkim/dkim-repo.js';
import { SqliteDb } from '../../src/store/sqlite/sqlite-db.js';

const VERIFIER = fileURLToPath(new URL('../../../test/dkim/dkimpy-verify.py', import.meta.url));

/** dkimpy (Debian's python3-dkim), given the TXT record our DNS would publish. */
function independentVerify(message: Buffer, txt: string): string {
  assert.ok(
    existsSync('/usr/lib/python3/dist-packages/dkim'),
    'dkimpy is missing: apt-get install python3-dkim (CI installs it)',
  );
  const r = spawnSync('/usr/bin/python3', [VERIFIER], {
    input: message,
    env: { ...process.env, DKIM_TXT: txt },
  });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString().trim();
}

const message = Buffer.from(
  'From: Alice <alice@sign.test>\r\nTo: bob@elsewhere.test\r\nSubject: signed\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@sign.test>\r\n\r\nHello,\r\nthis is signed.\r\n',
);

describe('DKIM signing, verified by dkimpy', () => {
  let db: SqliteDb;
  let dkim: DkimService;
  before(async () => {
    db = SqliteDb.open(':memory:');
    await migrate(db, [dkimSchema]);
    dkim = new DkimService(db, silentLogger());
  });
  after(() => db.close());

  for (const algorithm of ['rsa', 'ed25519'] as const) {
    test(`${algorithm}: generate prints a record; signed mail verifies; tampered mail does not`, async () => {
      const key = await dkim.generate('sign.test', { selector: `s-${algorithm}`, algorithm });
      const rec = dnsRecord(key);
      assert.equal(rec.name, `s-${algorithm}._domainkey.sign.test`);
      assert.match(rec.value, new RegExp(`^v=DKIM1; k=${algorithm}; p=[A-Za-z0-9+/=]+$`));
      const signed = await dkim.sign(message);
      assert.match(signed.toString(), new RegExp(`^DKIM-Signature: .*d=sign.test;[\\s\\S]*s=s-${algorithm}`));
      assert.equal(independentVerify(signed, rec.value), 'pass');
      const tampered = Buffer.from(signed.toString().replace('this is signed', 'this is forged'));
      assert.equal(independentVerify(tampered, rec.value), 'fail');
    });
  }

  test('rotation: the newest key signs, older selectors stay listed until removed', async () => {
    const keys = await dkim.list('sign.test');
    assert.deepEqual(
      keys.map((k) => [k.selector, k.active]),
      [
        ['s-rsa', false],
        ['s-ed25519', true],
      ],
    );
    await dkim.activate('sign.test', 's-rsa');
    assert.match((await dkim.sign(message)).toString(), /s=s-rsa/);
    await dkim.remove('sign.test', 's-ed25519');
    await assert.rejects(dkim.remove('sign.test', 's-ed25519'), /DKIM key s-ed25519 for sign.test not found/);
    await assert.rejects(
      dkim.generate('sign.test', { selector: 's-rsa' }),
      /already has a key with selector s-rsa/,
    );
    await assert.rejects(dkim.generate('not a domain'), /is not a domain name/);
  });

  test('the t= tag that is signed is the one written, even when the clock ticks while signing', async () => {
    const key = await dkim.generate('sign.test', { selector: 'clock', algorithm: 'rsa' });
    await dkim.activate('sign.test', 'clock');
    // mailauth reads the clock once for the header it hashes and again for the one it writes:
    // a rounding boundary between the two reads (the RSA signature lies between them: a chance of
    // its duration in a second) left a signature over a different t= than the header carries.
    const realNow = Date.now;
    let now = Date.UTC(2026, 10, 27);
    Date.now = () => (now += 1000);
    try {
      const signed = await dkim.sign(message);
      Date.now = realNow;
      assert.equal(independentVerify(signed, dnsRecord(key).value), 'pass');
    } finally {
      Date.now = realNow;
    }
  });

  test('mail from a domain without a key goes out unchanged', async () => {
    const other = Buffer.from('From: x@unsigned.test\r\n\r\nbody\r\n');
    assert.equal(await dkim.sign(other), other);
    assert.equal(
      fromDomain(Buffer.from('Subject: x\r\nFrom: "A, B" <a@Example.TEST>\r\n\r\n')),
      'example.test',
    );
  });
});
