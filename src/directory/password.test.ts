import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, randomPassword, verifyPassword } from './password.js';

test('a hash is self-describing and verifies only its password', async () => {
  const h = await hashPassword('correct horse');
  assert.match(h, /^\$scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('correct hors', h), false);
  assert.equal(await verifyPassword('', h), false);
});

test('the same password hashes differently per salt', async () => {
  const [a, b] = await Promise.all([hashPassword('pw'), hashPassword('pw')]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('pw', a), true);
  assert.equal(await verifyPassword('pw', b), true);
});

test('hashes with other cost parameters still verify', async () => {
  const h = await hashPassword('pw');
  const parts = h.split('$');
  assert.equal(parts[2], '32768');
  // A hash made with N=1024 (e.g. by an older release) keeps working.
  const { scryptSync } = await import('node:crypto');
  const salt = Buffer.from('0123456789abcdef');
  const cheap = `$scrypt$1024$8$1$${salt.toString('base64')}$${scryptSync('pw', salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
  assert.equal(await verifyPassword('pw', cheap), true);
  assert.equal(await verifyPassword('px', cheap), false);
});

test('malformed hashes never match', async () => {
  for (const bad of [
    '',
    'plain',
    '$scrypt$x$8$1$AA==$AA==',
    '$scrypt$1024$8$1$AA==$',
    '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
  ]) {
    assert.equal(await verifyPassword('pw', bad), false, bad);
  }
});

test('random passwords are long and differ', () => {
  const a = randomPassword();
  assert.equal(a.length, 20);
  assert.notEqual(a, randomPassword());
  assert.match(a, /^[a-zA-Z2-9]+$/);
});
