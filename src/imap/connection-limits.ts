import type { Config } from '../config/config.js';

/** Open IMAP sessions counted in total, per client address and per account, across imap and imaps. */
export class ConnectionLimits {
  private total = 0;
  private readonly perIp = new Map<string, number>();
  private readonly perAccount = new Map<number, number>();

  constructor(private readonly config: Config) {}

  get open(): number {
    return this.total;
  }

  /** Counts a new connection, or refuses it with the reason. */
  admit(ip: string): 'ok' | 'total' | 'ip' {
    if (this.total >= this.config.get<number>('imap.max_connections')) return 'total';
    if ((this.perIp.get(ip) ?? 0) >= this.config.get<number>('imap.max_connections_per_ip')) return 'ip';
    this.total++;
    bump(this.perIp, ip, 1);
    return 'ok';
  }

  release(ip: string): void {
    this.total--;
    bump(this.perIp, ip, -1);
  }

  /** Counts a login; false when the account already has its most sessions. */
  login(accountId: number): boolean {
    if ((this.perAccount.get(accountId) ?? 0) >= this.config.get<number>('imap.max_connections_per_account'))
      return false;
    bump(this.perAccount, accountId, 1);
    return true;
  }

  logout(accountId: number): void {
    bump(this.perAccount, accountId, -1);
  }
}

function bump<K>(map: Map<K, number>, key: K, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
