/** Open inbound sessions, in total and per client IP. */
export class ConnectionCounts {
  private readonly perIp = new Map<string, number>();
  total = 0;

  open(ip: string): () => void {
    this.total++;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    };
  }

  of(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }
}
