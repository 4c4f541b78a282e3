// A clamd client over TCP or a unix socket: zINSTREAM (chunked), PING, VERSION and STATS.
// One connection per command: clamd's IDSESSION would save a handshake but ties a connection
// to clamd's per-session thread, and a message scan is far longer than a connect on loopback.
import { connect, type Socket } from 'node:net';
import { drained } from '../../core/drain.js';

export type ClamdVerdict = { infected: false } | { infected: true; name: string };

export interface ClamdVersion {
  /** e.g. `ClamAV 1.0.7` */
  engine: string;
  /** Signature database version (daily.cvd), when clamd reports one. */
  dbVersion: number | null;
  /** Signature database build date as clamd prints it. */
  dbDate: string | null;
}

export interface ClamdStats {
  pools: number | null;
  threads: { live: number; idle: number; max: number } | null;
  queueItems: number | null;
  /** clamd's own memory figure (heap + mmap) in MB, when it prints MEMSTATS. */
  memoryMb: number | null;
  raw: string;
}

/** A refusal by clamd itself (size limit, unreadable stream): the scan did not complete. */
export class ClamdError extends Error {
  override name = 'ClamdError';
}

const CHUNK = 64 * 1024;

/** `host:port`, `[v6]:port`, `tcp://host:port`, `/path/to/socket` or `unix:/path`. */
export function parseClamdAddress(addr: string): { path: string } | { host: string; port: number } {
  const a = addr.trim();
  if (a.startsWith('unix:')) return { path: a.slice(5) };
  if (a.startsWith('/')) return { path: a };
  const m = /^(?:tcp:\/\/)?(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(a);
  if (!m) throw new Error(`not a clamd address: ${addr} (use host:port or a socket path)`);
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
}

export class ClamdClient {
  private readonly target: { path: string } | { host: string; port: number };

  constructor(
    address: string,
    private readonly timeoutMs = 60_000,
  ) {
    this.target = parseClamdAddress(address);
  }

  async ping(): Promise<boolean> {
    return (await this.command('PING')) === 'PONG';
  }

  async version(): Promise<ClamdVersion> {
    return parseVersion(await this.command('VERSION'));
  }

  async stats(): Promise<ClamdStats> {
    return parseStats(await this.command('STATS'));
  }

  /** Streams a message to clamd in chunks; a chunk is sent only when the socket has room for it. */
  async scan(body: AsyncIterable<Buffer>): Promise<ClamdVerdict> {
    const reply = await this.session('INSTREAM', async (sock) => {
      for await (const data of body) {
        for (let off = 0; off < data.length; off += CHUNK) {
          if (sock.destroyed || sock.writableEnded) return;
          const part = data.subarray(off, off + CHUNK);
          const len = Buffer.alloc(4);
          len.writeUInt32BE(part.length);
          sock.write(len);
          if (!sock.write(part)) await drained(sock);
        }
      }
      if (!sock.destroyed) sock.write(Buffer.alloc(4));
    });
    return parseScanReply(reply);
  }

  private command(name: string): Promise<string> {
    return this.session(name, async () => undefined);
  }

  /** Sends `z<name>\0`, runs `send`, and resolves with clamd's NUL-terminated reply. */
  private session(name: string, send: (sock: Socket) => Promise<void>): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock =
        'path' in this.target ? connect(this.target.path) : connect(this.target.port, this.target.host);
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (err: Error | null, value?: string) => {
        if (settled) return;
        settled = true;
        sock.destroy();
        if (err) reject(err);
        else resolve(value!);
      };
      sock.setTimeout(this.timeoutMs, () =>
        finish(new Error(`clamd did not answer ${name} within ${this.timeoutMs} ms`)),
      );
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        const nul = all.indexOf(0);
        if (nul >= 0) finish(null, all.subarray(0, nul).toString('utf8').trim());
      });
      // clamd closes early on a stream over its limit but still sends its reply first.
      sock.on('error', (e) => (chunks.length ? undefined : finish(e)));
      sock.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8').replace(/\0+$/, '').trim();
        finish(text ? null : new Error(`clamd closed the connection during ${name}`), text);
      });
      sock.once('connect', () => {
        sock.write(`z${name}\0`);
        send(sock).catch((e: Error) => finish(e));
      });
    });
  }
}

export function parseScanReply(reply: string): ClamdVerdict {
  const m = /^(?:\d+: )?stream: (.+?)( FOUND| OK| ERROR)?$/.exec(reply);
  if (m?.[2] === ' OK' || (m && !m[2] && m[1] === 'OK')) return { infected: false };
  if (m?.[2] === ' FOUND') return { infected: true, name: m[1]! };
  throw new ClamdError(reply.replace(/^stream: /, '').replace(/ ERROR$/, '') || 'empty reply');
}

export function parseVersion(reply: string): ClamdVersion {
  const [engine, db, date] = reply.split('/');
  return {
    engine: engine!.trim(),
    dbVersion: db && /^\d+$/.test(db) ? Number(db) : null,
    dbDate: date?.trim() || null,
  };
}

export function parseStats(raw: string): ClamdStats {
  const num = (re: RegExp) => {
    const m = re.exec(raw);
    return m ? Number(m[1]) : null;
  };
  const t = /THREADS: live (\d+)\s+idle (\d+) max (\d+)/.exec(raw);
  const heap = /heap ([\d.]+)M/.exec(raw);
  const mmap = /mmap ([\d.]+)M/.exec(raw);
  return {
    pools: num(/POOLS: (\d+)/),
    threads: t ? { live: Number(t[1]), idle: Number(t[2]), max: Number(t[3]) } : null,
    queueItems: num(/QUEUE: (\d+) items/),
    memoryMb: heap ? Number(heap[1]) + (mmap ? Number(mmap[1]) : 0) : null,
    raw,
  };
}
