import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { concurrencyLimit } from '../core/concurrency.js';

/** Cost parameters of new hashes; stored in each hash, so raising them later keeps old hashes valid. */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/**
 * scrypt holds 128·N·r bytes (32 MiB at the cost above) while it runs on libuv's thread pool,
 * which has 32 threads here: 50 mail clients logging in together held 100 MiB of it at once
 * (heaptrack, 50-user footprint benchmark), the largest part of the server's peak memory. Two
 * at a time keep a small server's cores busy; more would only wait for the CPU, holding memory.
 */
const scryptGate = concurrencyLimit(2);

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return scryptGate(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );
}

/** scrypt needs 128·N·r bytes; allow twice that so stronger parameters in stored hashes still verify. */
const maxmem = (n: number, r: number) => 256 * n * r + 1024 * 1024;

/** Hashes a password as the self-describing `$scrypt$N$r$p$salt$hash` (salt and hash in base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, KEY_LENGTH, {
    N,
    r: R,
    p: P,
    maxmem: maxmem(N, R),
  });
  return `$scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^\$scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5]!, 'base64');
  if (!expected.length || n < 2 || r < 1 || p < 1 || n > 2 ** 20) return false;
  const key = await scryptAsync(password.normalize('NFC'), Buffer.from(m[4]!, 'base64'), expected.length, {
    N: n,
    r,
    p,
    maxmem: maxmem(n, r),
  });
  return timingSafeEqual(key, expected);
}

/** A hash of a random password: verifying against it costs as much as a real check, for unknown users. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('base64'));
  return decoy;
}

/** A random password for generated accounts (the first admin): 20 characters from an unambiguous alphabet. */
export function randomPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  // 256 is not a multiple of the alphabet size; the slight bias is irrelevant at this length.
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
