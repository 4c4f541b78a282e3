import type { Resolver } from 'node:dns/promises';
import type { Config } from '../config/config.js';
import { MailsteadError } from '../core/errors.js';
import { createResolver } from '../delivery/remote/resolver.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { BlobRef, BlobStore } from '../store/blobs/blob-store.js';
import { checkAuthenticity } from './authenticity.js';
import { checkDnsbl, parseDnsblZone, type DnsblZone } from './dnsbl.js';

export interface InboundCheckRequest {
  blob: BlobRef;
  sender: string;
  clientIp: string;
  helo: string;
  /** Authenticated submission and trusted networks are not checked: they are our own users. */
  exempt: boolean;
}

/**
 * The sender-authenticity stage at end of DATA for mail from the outside: DNS blacklists, then
 * SPF, DKIM, DMARC and ARC. It records the verdict in an Authentication-Results header (a new
 * blob with the header on top) and refuses what the configured policy says to refuse.
 */
export class InboundChecks {
  private resolver: { source: string; r: Resolver } | undefined;
  private zones: { source: string; list: DnsblZone[] } | undefined;

  constructor(
    private readonly config: Config,
    private readonly blobs: BlobStore,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  private dns(): Resolver {
    const servers = this.config.get<string[]>('dns.servers');
    const source = servers.join(',');
    if (this.resolver?.source !== source) this.resolver = { source, r: createResolver(servers) };
    return this.resolver.r;
  }

  private dnsblZones(): DnsblZone[] {
    const entries = this.config.get<string[]>('dnsbl.zones');
    const source = entries.join(',');
    if (this.zones?.source !== source) this.zones = { source, list: entries.map(parseDnsblZone) };
    return this.zones.list;
  }

  async check(req: InboundCheckRequest): Promise<BlobRef> {
    if (req.exempt) return req.blob;
    const zones = this.dnsblZones();
    if (zones.length) {
      const hits = await checkDnsbl(this.dns(), req.clientIp, zones);
      const reject = hits.find((h) => h.action.kind === 'reject');
      for (const h of hits)
        this.metrics
          .counter('mailstead_dnsbl_hits_total', 'Clients listed in a DNS blacklist, by zone', ['zone'])
          .inc({ zone: h.zone });
      if (reject) {
        this.log.info({ event: 'dnsbl_reject', ip: req.clientIp, zone: reject.zone, codes: reject.codes });
        throw new MailsteadError(
          `Service unavailable; client [${req.clientIp}] blocked using ${reject.zone}${reject.reason ? `; ${reject.reason}` : ''}`,
          {
            smtp: { code: 554, enhanced: '5.7.1' },
          },
        );
      }
    }
    if (!this.config.get<boolean>('authenticity.check')) return req.blob;
    const message = await this.blobs.get(req.blob.hash);
    const hostname = this.config.get<string>('server.hostname');
    let verdict;
    try {
      verdict = await checkAuthenticity(this.dns(), {
        message,
        sender: req.sender,
        ip: req.clientIp,
        helo: req.helo,
        mta: hostname,
      });
    } catch (e) {
      // A broken message or DNS trouble must not lose mail: deliver it unverified and say so.
      this.log.warn({ event: 'authenticity_check_failed', err: (e as Error).message });
      return req.blob;
    }
    this.metrics
      .counter('mailstead_dmarc_results_total', 'DMARC results of incoming mail', ['result'])
      .inc({ result: verdict.dmarc });
    const enforce = this.config.get<'policy' | 'quarantine' | 'none'>('authenticity.dmarc_enforce');
    if (enforce === 'policy' && verdict.dmarcFailurePolicy === 'reject') {
      this.log.info({ event: 'dmarc_reject', ip: req.clientIp, from: verdict.fromDomain });
      throw new MailsteadError(`Message rejected: it fails the DMARC policy of ${verdict.fromDomain}`, {
        smtp: { code: 550, enhanced: '5.7.1' },
      });
    }
    const quarantine =
      verdict.dmarcFailurePolicy !== null && verdict.dmarcFailurePolicy !== 'none' && enforce !== 'none';
    const extra = quarantine ? `X-Mailstead-Quarantine: DMARC policy of ${verdict.fromDomain}\r\n` : '';
    return this.blobs.put(Buffer.concat([Buffer.from(verdict.headers + extra, 'utf8'), message]));
  }
}
