import type { Resolver } from 'node:dns/promises';
import type { Config } from '../../config/config.js';
import { MailsteadError } from '../../core/errors.js';
import type { Logger } from '../../log/logger.js';
import type { Deliverer, DeliveryResult, DueRecipient } from '../../queue/types.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import { DestinationLimiter } from './destination-limiter.js';
import { addressesOf, resolveMx } from './mx.js';
import { createResolver } from './resolver.js';
import { RouteTable } from './routes.js';
import { SmtpClient, type ClientSettings, type HostTarget, type TlsLevel } from './smtp-client.js';

/** Turns the message's trace headers and body into what goes on the wire (DKIM signing hooks in here). */
export type MessageSigner = (message: DueRecipient['message'], bytes: Buffer) => Promise<Buffer>;

function tlsPolicy(entries: readonly string[], domain: string, fallback: TlsLevel): TlsLevel {
  for (const e of entries) {
    const [d, level] = e.split('=');
    if (
      d?.toLowerCase() === domain &&
      (level === 'none' || level === 'may' || level === 'encrypt' || level === 'verify')
    )
      return level;
  }
  return fallback;
}

/**
 * Remote delivery (Postfix's smtp client, qmail-remote): routes by smtproutes or MX, tries the
 * hosts in order, reuses connections, honours per-destination concurrency and the dead-
 * destination cache. 2xx → delivered; 5xx → bounced; 4xx or no answer from every host → deferred.
 */
export class RemoteDeliverer implements Deliverer {
  private readonly client = new SmtpClient();
  private readonly limiter: DestinationLimiter;
  private routes: { source: string; table: RouteTable } | undefined;
  private resolver: { source: string; r: Resolver } | undefined;
  /** The wire bytes of messages being delivered, shared by their recipients for a moment. */
  private readonly bytesCache = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly config: Config,
    private readonly blobs: BlobStore,
    private readonly log: Logger,
    private readonly sign: MessageSigner = async (_m, b) => b,
  ) {
    this.limiter = new DestinationLimiter(() => ({
      total: config.get<number>('smtp.max_connections'),
      initial: config.get<number>('smtp.destination_concurrency_initial'),
      max: config.get<number>('smtp.destination_concurrency_limit'),
      deadMs: config.get<number>('queue.dead_destination_time'),
    }));
  }

  private routeTable(): RouteTable {
    const entries = this.config.get<string[]>('smtp.routes');
    const source = JSON.stringify(entries);
    if (this.routes?.source !== source) this.routes = { source, table: new RouteTable(entries) };
    return this.routes.table;
  }

  private dns(): Resolver {
    const servers = this.config.get<string[]>('dns.servers');
    const source = servers.join(',');
    if (this.resolver?.source !== source) this.resolver = { source, r: createResolver(servers) };
    return this.resolver.r;
  }

  private async targets(
    domain: string,
  ): Promise<{ dest: string; hosts: HostTarget[]; auth: ClientSettings['auth'] }> {
    const route = this.routeTable().lookup(domain);
    if (route?.relay) {
      // A relay is a host, not a domain: its address records, never its MX (qmail's smtproutes).
      const addresses = await addressesOf(this.dns(), route.relay);
      return {
        dest: `[${route.relay}]:${route.port}`,
        hosts: addresses.map((a) => ({ host: route.relay!, address: a, port: route.port })),
        auth: route.auth,
      };
    }
    const mx = await resolveMx(this.dns(), domain);
    const port = route?.port ?? 25;
    return {
      dest: domain,
      hosts: mx.flatMap((h) => h.addresses.map((a) => ({ host: h.host, address: a, port }))),
      auth: route?.auth,
    };
  }

  private wireBytes(r: DueRecipient): Promise<Buffer> {
    const key = r.message.id;
    let p = this.bytesCache.get(key);
    if (!p) {
      p = (async () => {
        const body = await this.blobs.get(r.message.blobHash, r.message.blobVolume || undefined);
        return this.sign(r.message, Buffer.concat([Buffer.from(r.message.trace, 'latin1'), body]));
      })();
      this.bytesCache.set(key, p);
      // Recipients of one message are picked together; a short life is enough to share the work.
      setTimeout(() => this.bytesCache.delete(key), 30_000).unref();
    }
    return p;
  }

  async deliver(r: DueRecipient): Promise<DeliveryResult> {
    let plan: Awaited<ReturnType<RemoteDeliverer['targets']>>;
    try {
      plan = await this.targets(r.domain);
    } catch (e) {
      const err = e instanceof MailsteadError ? e : new MailsteadError((e as Error).message);
      const reply = err.smtpReply();
      return err.smtp && err.smtp.code >= 500 ? { state: 'bounced', reply } : { state: 'deferred', reply };
    }
    if (!plan.hosts.length)
      return { state: 'deferred', reply: `451 4.4.4 no address for the destination of ${r.domain}` };
    if (this.limiter.isDead(plan.dest)) {
      return {
        state: 'deferred',
        reply: `451 4.4.1 ${plan.dest} was unreachable moments ago; deferred without trying (dead destination)`,
      };
    }
    const bytes = await this.wireBytes(r);
    const settings: ClientSettings = {
      heloName: this.config.get<string>('smtp.helo_name') || this.config.get<string>('server.hostname'),
      localAddress: this.config.get<string>('smtp.source_address') || undefined,
      tls: tlsPolicy(
        this.config.get<string[]>('smtp.tls_policy'),
        r.domain,
        this.config.get<TlsLevel>('smtp.tls_level'),
      ),
      auth: plan.auth,
      connectTimeoutMs: this.config.get<number>('smtp.connect_timeout'),
      responseTimeoutMs: this.config.get<number>('smtp.response_timeout'),
    };
    const env = {
      from: r.message.sender,
      to: r.recipient,
      notify: r.notify,
      orcpt: r.orcpt,
      ret: r.message.dsnRet,
      envid: r.message.dsnEnvid,
      size: bytes.length,
    };
    await this.limiter.acquire(plan.dest);
    let success = false;
    let last = '';
    let allConnectFailures = true;
    try {
      for (const host of plan.hosts) {
        const out = await this.client.send(host, settings, env, bytes);
        if (out.kind === 'sent') {
          success = true;
          return { state: 'delivered', reply: out.reply + (out.tls ? ' (TLS)' : '') };
        }
        last = out.reply;
        if (!out.connectionFailed) {
          allConnectFailures = false;
          return out.kind === 'permanent'
            ? { state: 'bounced', reply: out.reply }
            : { state: 'deferred', reply: out.reply };
        }
        this.log.debug({
          event: 'remote_host_failed',
          queueId: r.queueId,
          host: host.host,
          address: host.address,
          reply: out.reply,
        });
      }
      if (allConnectFailures) this.limiter.markDead(plan.dest);
      return { state: 'deferred', reply: last || `451 4.4.1 no host of ${plan.dest} answered` };
    } finally {
      this.limiter.release(plan.dest, success);
    }
  }

  close(): void {
    this.client.close();
  }
}
