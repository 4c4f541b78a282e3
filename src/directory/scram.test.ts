import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scramCredential, ScramError, ScramServer, type ScramMechanism } from './scram.js';

/** The exchanges printed in RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256), user "user", password "pencil". */
const VECTORS: [ScramMechanism, string, string, string, string, string, string][] = [
  [
    'SCRAM-SHA-1',
    'fyko+d2lbbFgONRv9qkxdawL',
    '3rfcNHYJY1ZVvWVs7j',
    'QSXCR+Q6sek8bf92',
    'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
  ],
  [
    'SCRAM-SHA-256',
    'rOprNGfwEbeRWgbNEkqO',
    '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    'W22ZaJ0SNY7soEsUEjb6gQ==',
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  ],
];

for (const [mech, cnonce, snonce, salt, serverFirst, clientFinal, serverFinal] of VECTORS) {
  test(`${mech}: the RFC's example exchange`, async () => {
    const cred = await scramCredential(mech, 'pencil', 4096, Buffer.from(salt, 'base64'));
    const s = new ScramServer(mech, snonce);
    s.clientFirst(`n,,n=user,r=${cnonce}`);
    assert.equal(s.username, 'user');
    assert.equal(s.serverFirst(cred), serverFirst);
    assert.equal(s.clientFinal(clientFinal), serverFinal);
    const wrong = new ScramServer(mech, snonce);
    wrong.clientFirst(`n,,n=user,r=${cnonce}`);
    wrong.serverFirst(await scramCredential(mech, 'pencils', 4096, Buffer.from(salt, 'base64')));
    assert.equal(wrong.clientFinal(clientFinal), undefined, 'another password does not verify');
  });
}

test('malformed and unsupported client messages are refused with a reason', () => {
  const bad = (msg: string, re: RegExp) =>
    assert.throws(
      () => new ScramServer('SCRAM-SHA-256').clientFirst(msg),
      (e: unknown) => e instanceof ScramError && re.test(e.message),
    );
  bad('', /malformed/);
  bad('p=tls-unique,,n=user,r=abc', /channel binding/);
  bad('n,,n=user', /needs n= and r=/);
  bad('n,,n=us=er,r=abc', /malformed user name/);
  bad('n,,m=ext,n=user,r=abc', /mandatory extension/);
  const s = new ScramServer('SCRAM-SHA-256', 'SERVER');
  s.clientFirst('n,,n=a=2Cb=3Dc,r=abc');
  assert.equal(s.username, 'a,b=c');
  assert.throws(() => s.clientFinal('c=biws,r=abcSERVER,p=AA=='), /before server-first/);
});
