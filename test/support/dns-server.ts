import dns2 from 'dns2';

const { Packet } = dns2;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

export type DnsRecord =
  | { type: 'A' | 'AAAA'; address: string }
  | { type: 'MX'; exchange: string; priority: number }
  | { type: 'TXT'; data: string }
  | { type: 'CNAME' | 'PTR'; domain: string };

/**
 * A real DNS server on loopback (UDP and TCP on one port) answering from a zone the test edits.
 * Names not in the zone get NXDOMAIN; a name in `servfail` gets SERVFAIL (a temporary failure).
 */
export class TestDnsServer {
  readonly zone = new Map<string, DnsRecord[]>();
  readonly servfail = new Set<string>();
  /** Every question asked, as "TYPE name" (e.g. "MX example.test"), for tests that count lookups. */
  readonly asked: string[] = [];
  /** The TTL of every answer, in seconds. */
  ttl = 60;
  private udp: dns2.UDPServer | undefined;
  private tcp: dns2.TCPServer | undefined;
  port = 0;

  add(name: string, ...records: DnsRecord[]): this {
    const key = name.toLowerCase();
    this.zone.set(key, [...(this.zone.get(key) ?? []), ...records]);
    return this;
  }

  set(name: string, ...records: DnsRecord[]): this {
    this.zone.set(name.toLowerCase(), records);
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    // UDP first on an ephemeral port, then TCP on the same number (truncated answers retry over TCP).
    const handler: dns2.DnsHandler = (req, send) => this.answer(req, send);
    for (let attempt = 0; attempt < 5; attempt++) {
      const udp = dns2.createUDPServer(handler);
      await udp.listen(0, '127.0.0.1');
      const port = udp.address().port;
      const tcp = dns2.createTCPServer(handler);
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, '127.0.0.1', () => resolve());
        });
        this.udp = udp;
        this.tcp = tcp;
        this.port = port;
        return this;
      } catch {
        udp.close();
      }
    }
    throw new Error('could not bind the test DNS server');
  }

  private answer(req: dns2.Packet, send: (r: dns2.Packet) => Promise<Buffer>): void {
    const res = (
      Packet as unknown as { createResponseFromRequest(r: dns2.Packet): dns2.Packet }
    ).createResponseFromRequest(req);
    // dns2 echoes the client's EDNS OPT record back malformed (c-ares answers EFORMERR): answer without EDNS.
    res.additionals = [];
    const q = req.questions[0];
    if (!q) return void send(res);
    const name = q.name.toLowerCase();
    this.asked.push(
      `${Object.keys(Packet.TYPE).find((t) => Packet.TYPE[t as keyof typeof Packet.TYPE] === q.type) ?? q.type} ${name}`,
    );
    if (this.servfail.has(name)) {
      res.header.rcode = RCODE_SERVFAIL;
      return void send(res);
    }
    const records = this.zone.get(name);
    if (!records) {
      res.header.rcode = RCODE_NXDOMAIN;
      return void send(res);
    }
    for (const r of records) {
      if (Packet.TYPE[r.type] !== q.type) continue;
      const base = { name: q.name, type: q.type, class: Packet.CLASS.IN, ttl: this.ttl };
      if (r.type === 'TXT') {
        // Long TXT data is split into 255-byte character-strings, as DKIM keys are published.
        const chunks: string[] = [];
        for (let i = 0; i < r.data.length; i += 255) chunks.push(r.data.slice(i, i + 255));
        res.answers.push({ ...base, data: chunks } as never);
      } else res.answers.push({ ...r, ...base } as never);
    }
    void send(res);
  }

  async stop(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
  }
}
