import type { Resolver } from 'node:dns/promises';
import type { Config } from '../../config/config.js';
import { MailsteadError } from '../../core/errors.js';
import type { Logger } from '../../log/logger.js';
import type { Deliverer, DeliveryResult, DueRecipient } from '../../queue/types.js';
import type { BlobStore } from '../../store/blobs/blob-store.js';
import { Disclaimers } from './disclaimer.js';
import { DnsCache } from './dns-cache.js';
import type { MtaStsRepo } from '../../store/remote/mta-sts-repo.js';
import { MtaSts, mxMatches } from './mta-sts.js';
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

interface Plan {
  dest: string;
  hosts: HostTarget[];
  auth: ClientSettings['auth'];
  /** A TLS level the destination's MTA-STS policy requires, over the configured one. */
  tls?: TlsLevel;
}

/**
 * Trust settings for tests, which run their own CA and policy host on loopback. They exist only
 * as code, never as config, and no option weakens a check: certificates are still verified and
 * names still matched.
 */
export interface RemoteDelivererOptions {
  ca?: string;
  mtaStsPort?: number;
}

/**
 * Remote delivery (Postfix's smtp client, qmail-remote): routes by smtproutes or MX, tries the
 * hosts in order, reuses connections, honours per-destination concurrency and the dead-
 * destination cache. The queue manager hands over the due remote recipients of a message
 * together (`deliverMany`); they go out in transactions per destination. Per recipient:
 * 2xx → delivered; 5xx → bounced; 4xx or no answer from every host → deferred.
 */
export class RemoteDeliverer implements Deliverer {
  private readonly client = new SmtpClient();
  private readonly limiter: DestinationLimiter;
  private routes: { source: string; table: RouteTable } | undefined;
  private resolver: { source: string; r: Resolver } | undefined;
  private readonly disclaimers: Disclaimers;
  private readonly mtaSts: MtaSts;
  private readonly lookups: DnsCache;

  constructor(
    private readonly config: Config,
    private readonly blobs: BlobStore,
    private readonly log: Logger,
    private readonly sign: MessageSigner = async (_m, b) => b,
    private readonly trust: RemoteDelivererOptions = {},
    /** Keeps MTA-STS policies across restarts; without it they are kept in memory only. */
    stsPolicies?: Pick<MtaStsRepo, 'get' | 'put' | 'dropExpired'>,
  ) {
    this.disclaimers = new Disclaimers(config);
    this.lookups = new DnsCache(
      () => this.dns(),
      () => config.get<number>('dns.cache_time'),
    );
    this.mtaSts = new MtaSts(
      () => this.lookups,
      {
        ...(trust.ca ? { ca: trust.ca } : {}),
        ...(trust.mtaStsPort ? { httpsPort: trust.mtaStsPort } : {}),
      },
      stsPolicies && {
        repo: stsPolicies,
        onError: (what, domain, e) =>
          log.warn({ event: 'mta_sts_store_failed', what, domain, err: (e as Error).message }),
      },
    );
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

  private async targets(domain: string): Promise<Plan> {
    const route = this.routeTable().lookup(domain);
    if (route?.relay) {
      // A relay is a host, not a domain: its address records, never its MX (qmail's smtproutes).
      const addresses = await addressesOf(this.lookups, route.relay);
      return {
        dest: `[${route.relay}]:${route.port}`,
        hosts: addresses.map((a) => ({ host: route.relay!, address: a, port: route.port })),
        auth: route.auth,
      };
    }
    const mx = await resolveMx(this.lookups, domain);
    const port = route?.port ?? 25;
    const plan: Plan = {
      dest: domain,
      hosts: mx.flatMap((h) => h.addresses.map((a) => ({ host: h.host, address: a, port }))),
      auth: route?.auth,
    };
    return this.config.get<boolean>('smtp.mta_sts') ? this.applyMtaSts(domain, plan) : plan;
  }

  /**
   * RFC 8461 §4 for MX delivery: under `enforce` only MX hosts the policy names are used, with
   * TLS and a certificate valid for the MX name, or the mail is deferred; `testing` only logs
   * what enforcing would refuse.
   */
  private async applyMtaSts(domain: string, plan: Plan): Promise<Plan> {
    const policy = await this.mtaSts.policyFor(domain);
    if (!policy || policy.mode === 'none') return plan;
    const allowed = plan.hosts.filter((h) => policy.mx.some((p) => mxMatches(p, h.host)));
    if (policy.mode === 'testing') {
      const refused = [...new Set(plan.hosts.filter((h) => !allowed.includes(h)).map((h) => h.host))];
      if (refused.length)
        this.log.warn({ event: 'mta_sts_testing_mismatch', domain, hosts: refused, patterns: policy.mx });
      return plan;
    }
    if (!allowed.length)
      throw new MailsteadError(
        `MTA-STS policy of ${domain} names none of its MX hosts (${[...new Set(plan.hosts.map((h) => h.host))].join(', ')})`,
        { smtp: { code: 451, enhanced: '4.7.5' } },
      );
    return { ...plan, hosts: allowed, tls: 'verify' };
  }

  /** The bytes that go on the wire: trace headers, body, disclaimer, DKIM signature. */
  private async wireBytes(m: DueRecipient['message']): Promise<Buffer> {
    const body = await this.blobs.get(m.blobHash, m.blobVolume || undefined);
    const bytes = Buffer.concat([Buffer.from(m.trace, 'latin1'), body]);
    // The disclaimer goes in before signing, so the signature covers it (RFC 6376 §5).
    return this.sign(m, this.disclaimers.apply(m.authUser, bytes));
  }

  deliver(r: DueRecipient): Promise<DeliveryResult> {
    return new Promise((resolve, reject) => this.deliverMany([r], (_r, res) => resolve(res)).catch(reject));
  }

  /**
   * Delivers due recipients of one message: grouped per destination (MX domain, or the relay
   * their routes share), TLS level and DSN parameters into transactions of up to
   * `smtp.destination_recipient_limit`, which run side by side; each transaction's outcomes are
   * reported as soon as it ends.
   */
  async deliverMany(
    rs: readonly DueRecipient[],
    report: (r: DueRecipient, res: DeliveryResult) => void,
  ): Promise<void> {
    if (!rs.length) return;
    let bytes: Promise<Buffer> | undefined;
    const wire = () => (bytes ??= this.wireBytes(rs[0]!.message));
    const byDomain = groupBy(rs, (r) => r.domain.toLowerCase());
    const planned = await Promise.all(
      [...byDomain.values()].map(async (group) => {
        try {
          return { group, plan: await this.targets(group[0]!.domain) };
        } catch (e) {
          const err = e instanceof MailsteadError ? e : new MailsteadError((e as Error).message);
          const reply = err.smtpReply();
          const state = err.smtp && err.smtp.code >= 500 ? 'bounced' : 'deferred';
          for (const r of group) report(r, { state, reply });
          return undefined;
        }
      }),
    );
    const limit = this.config.get<number>('smtp.destination_recipient_limit');
    const transactions: { plan: Plan; rs: DueRecipient[] }[] = [];
    // Domains routed to one relay share its transactions; DSN parameters are per transaction.
    const byDest = groupBy(
      planned.flatMap((x) => (x ? x.group.map((r) => ({ r, plan: x.plan })) : [])),
      ({ r, plan }) => JSON.stringify([plan.dest, this.tlsLevel(r.domain), r.notify, r.orcpt]),
    );
    for (const group of byDest.values())
      for (let i = 0; i < group.length; i += limit)
        transactions.push({ plan: group[0]!.plan, rs: group.slice(i, i + limit).map((x) => x.r) });
    await Promise.all(
      transactions.map(async ({ plan, rs: chunk }) => {
        let results: DeliveryResult[];
        try {
          results = await this.transaction(plan, chunk, wire);
        } catch (e) {
          this.log.error({
            event: 'remote_delivery_error',
            queueId: chunk[0]!.queueId,
            err: (e as Error).message,
          });
          results = chunk.map(() => ({ state: 'deferred', reply: '451 4.3.0 Temporary local problem' }));
        }
        chunk.forEach((r, i) => report(r, results[i]!));
      }),
    );
  }

  private tlsLevel(domain: string): TlsLevel {
    return tlsPolicy(
      this.config.get<string[]>('smtp.tls_policy'),
      domain.toLowerCase(),
      this.config.get<TlsLevel>('smtp.tls_level'),
    );
  }

  /** One transaction for recipients of one message at one destination: a result for each, in order. */
  private async transaction(
    plan: Plan,
    rs: DueRecipient[],
    wire: () => Promise<Buffer>,
  ): Promise<DeliveryResult[]> {
    const first = rs[0]!;
    const all = (res: DeliveryResult): DeliveryResult[] => rs.map(() => res);
    if (!plan.hosts.length)
      return all({ state: 'deferred', reply: `451 4.4.4 no address for the destination of ${first.domain}` });
    if (this.limiter.isDead(plan.dest)) {
      return all({
        state: 'deferred',
        reply: `451 4.4.1 ${plan.dest} was unreachable moments ago; deferred without trying (dead destination)`,
      });
    }
    const bytes = await wire();
    const settings: ClientSettings = {
      heloName: this.config.get<string>('smtp.helo_name') || this.config.get<string>('server.hostname'),
      localAddress: this.config.get<string>('smtp.source_address') || undefined,
      tls: plan.tls ?? this.tlsLevel(first.domain),
      ...(this.trust.ca ? { ca: this.trust.ca } : {}),
      auth: plan.auth,
      connectTimeoutMs: this.config.get<number>('smtp.connect_timeout'),
      responseTimeoutMs: this.config.get<number>('smtp.response_timeout'),
    };
    const env = {
      from: first.message.sender,
      to: rs.map((r) => r.recipient),
      notify: first.notify,
      orcpt: first.orcpt,
      ret: first.message.dsnRet,
      envid: first.message.dsnEnvid,
      size: bytes.length,
    };
    await this.limiter.acquire(plan.dest);
    let success = false;
    let last = '';
    try {
      for (const host of plan.hosts) {
        const out = await this.client.send(host, settings, env, bytes);
        if (out.kind === 'done') {
          success = true;
          return rs.map((r): DeliveryResult => {
            const o = out.recipients.get(r.recipient);
            if (!o)
              return {
                state: 'deferred',
                reply: `451 4.4.2 ${host.host} gave no reply for <${r.recipient}>`,
              };
            if (o.kind === 'sent') return { state: 'delivered', reply: o.reply + (out.tls ? ' (TLS)' : '') };
            return { state: o.kind === 'permanent' ? 'bounced' : 'deferred', reply: o.reply };
          });
        }
        last = out.reply;
        this.log.debug({
          event: 'remote_host_failed',
          queueId: first.queueId,
          host: host.host,
          address: host.address,
          reply: out.reply,
        });
      }
      this.limiter.markDead(plan.dest);
      return all({ state: 'deferred', reply: last || `451 4.4.1 no host of ${plan.dest} answered` });
    } finally {
      this.limiter.release(plan.dest, success);
    }
  }

  close(): void {
    this.client.close();
  }
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const g = out.get(k);
    if (g) g.push(t);
    else out.set(k, [t]);
  }
  return out;
}
