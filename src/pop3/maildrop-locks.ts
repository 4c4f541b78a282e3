/**
 * One POP3 session per maildrop (RFC 1939 section 8): the lock is taken after authentication
 * and released when the session ends. In-process; a cluster would need a shared lock.
 */
export class MaildropLocks {
  private readonly held = new Set<number>();

  tryLock(accountId: number): boolean {
    if (this.held.has(accountId)) return false;
    this.held.add(accountId);
    return true;
  }

  release(accountId: number): void {
    this.held.delete(accountId);
  }
}
