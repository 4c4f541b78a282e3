import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';

/** Accounts remembered at most; past this the oldest entry goes, so memory stays bounded. */
const MAX_ENTRIES = 100_000;

/**
 * Passwords verified recently, so a client that opens many sessions (a phone's several IMAP
 * connections, a desktop client's folders, thousands of IDLE sessions) pays the scrypt check
 * (~110 ms of CPU) once per `ttl` instead of once per login, as Dovecot's auth_cache does.
 *
 * An entry is an HMAC, under a key made at start and never stored, of the account's stored
 * hash and the password. The stored hash is read from the store at every login, so a password
 * changed by the CLI or another node (a new hash, with a new salt) never matches an old entry;
 * a wrong password never matches either and always takes the full check, so guessing costs
 * what it did. Only successes are remembered.
 */
export class VerifiedLogins {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<number, { mac: Buffer; until: number }>();

  constructor(
    private readonly ttl: () => number,
    private readonly clock: Clock,
  ) {}

  /** True when this password was verified against this stored hash within the ttl. */
  matches(accountId: number, storedHash: string, password: string): boolean {
    const e = this.entries.get(accountId);
    if (!e) return false;
    // A ttl set to 0 while running turns the cache off at once, not when the entries expire.
    if (this.clock.now() >= e.until || this.ttl() <= 0) {
      this.entries.delete(accountId);
      return false;
    }
    return timingSafeEqual(e.mac, this.mac(storedHash, password));
  }

  /** Records a password that the full check accepted. */
  remember(accountId: number, storedHash: string, password: string): void {
    const ttl = this.ttl();
    if (ttl <= 0) return;
    // Re-inserted at the end: the Map's order is then oldest verification first.
    this.entries.delete(accountId);
    this.entries.set(accountId, { mac: this.mac(storedHash, password), until: this.clock.now() + ttl });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  private mac(storedHash: string, password: string): Buffer {
    return createHmac('sha256', this.key).update(storedHash).update('\0').update(password).digest();
  }
}
