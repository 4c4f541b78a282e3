import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789BCDFGHJKLMNPQRSTVWXZ';

// Random bytes are drawn 6 KiB at a time: one system call per id was about 1% of the server's
// CPU under SMTP load (an id per connection and per message).
const pool = Buffer.alloc(6144);
let used = pool.length;

function random6(): Buffer {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 6;
  return pool.subarray(used - 6, used);
}

/**
 * A queue/session id in Postfix's spirit: time-ordered, short, safe in logs and file names.
 * 9 chars of milliseconds in base 30 followed by 6 random chars.
 */
export function newId(now = Date.now()): string {
  let t = now;
  let head = '';
  for (let i = 0; i < 9; i++) {
    head = ALPHABET[t % 30] + head;
    t = Math.floor(t / 30);
  }
  const rnd = random6();
  let tail = '';
  for (const b of rnd) tail += ALPHABET[b % 30];
  return head + tail;
}

/** The millisecond a `newId` id was made, or undefined when `id` is not one. */
export function idTime(id: string): number | undefined {
  if (!/^[0-9BCDFGHJKLMNPQRSTVWXZ]{15}$/.test(id)) return undefined;
  let t = 0;
  for (const c of id.slice(0, 9)) t = t * 30 + ALPHABET.indexOf(c);
  return t;
}
