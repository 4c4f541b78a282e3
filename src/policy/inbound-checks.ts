import type { Config } from '../config/config.js';
import { MailsteadError } from '../core/errors.js';
import { cachedResolver } from '../delivery/remote/resolver.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { BlobRef, BlobStore } from '../store/blobs/blob-store.js';
import { checkAuthenticity } from './authenticity.js';
import { checkDnsbl, parseDnsblZone, type DnsblHit, type DnsblZone } from './dnsbl.js';

export interface InboundClient {
  clientIp: string;
  /** Authenticated submission and trusted networks are not checked: they are our own users. */
  exempt: boolean;
}

/** A score the spam filter adds for a finding of this stage (a DNSBL zone set to score:N). */
export interface ScoreHit {
  name: string;
  score: number;
  description: string;
}

export interface InboundVerdict {
  /** The message with Authentication-Results on top (or the same blob when nothing was checked). */
  blob: BlobRef;
  scoreHits: ScoreHit[];
  /** Why the message goes to the recipients' Junk folders (a DMARC p=quarantine failure), or null. */
  quarantine: string | null;
}

/** How long one client's DNSBL answers serve its later commands and connections. */
const DNSBL_MEMO_MS = 60_000;
const DNSBL_MEMO_MAX = 10_000;

export interface InboundCheckRequest extends InboundClient {
  blob: BlobRef;
  sender: string;
  helo: string;
}

/**
 * Checks of mail from the outside. At RCPT (Postfix's reject_rbl_client): DNS blacklists set to
 * reject refuse the client before DATA. At end of DATA: SPF, DKIM, DMARC and ARC, recorded in an
 * Authentication-Results header (a new blob with the header on top); what the configured policy
 * refuses is refused, DNSBL zones set to score:N and DMARC quarantine go to the spam stage.
 */
export class InboundChecks {
  private readonly dns = cachedResolver(() => this.config.get<string[]>('dns.servers'));
  private zones: { source: string; list: DnsblZone[] } | undefined;
  private readonly dnsblMemo = new Map<string, { at: number; hits: Promise<DnsblHit[]> }>();

  constructor(
    private readonly config: Config,
    private readonly blobs: BlobStore,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  private dnsblZones(): DnsblZone[] {
    const entries = this.config.get<string[]>('dnsbl.zones');
    const source = entries.join(',');
    if (this.zones?.source !== source) this.zones = { source, list: entries.map(parseDnsblZone) };
    return this.zones.list;
  }

  /** The client's listings in every configured zone, looked up once a minute at most. */
  private listings(ip: string): Promise<DnsblHit[]> {
    const zones = this.dnsblZones();
    if (!zones.length) return Promise.resolve([]);
    const key = `${ip} ${this.zones!.source}`;
    const now = Date.now();
    const memo = this.dnsblMemo.get(key);
    if (memo && now - memo.at < DNSBL_MEMO_MS) return memo.hits;
    if (this.dnsblMemo.size >= DNSBL_MEMO_MAX)
      for (const [k, v] of this.dnsblMemo) if (now - v.at >= DNSBL_MEMO_MS) this.dnsblMemo.delete(k);
    if (this.dnsblMemo.size >= DNSBL_MEMO_MAX) this.dnsblMemo.clear();
    const hits = checkDnsbl(this.dns(), ip, zones).then((found) => {
      for (const h of found)
        this.metrics
          .counter('mailstead_dnsbl_hits_total', 'Clients listed in a DNS blacklist, by zone', ['zone'])
          .inc({ zone: h.zone });
      return found;
    });
    this.dnsblMemo.set(key, { at: now, hits });
    return hits;
  }

  /** At RCPT TO: refuses a client listed in a zone set to reject, before it sends the message. */
  async recipient(client: InboundClient): Promise<void> {
    if (client.exempt) return;
    const reject = (await this.listings(client.clientIp)).find((h) => h.action.kind === 'reject');
    if (!reject) return;
    this.log.info({ event: 'dnsbl_reject', ip: client.clientIp, zone: reject.zone, codes: reject.codes });
    throw new MailsteadError(
      `Service unavailable; client [${client.clientIp}] blocked using ${reject.zone}${reject.reason ? `; ${reject.reason}` : ''}`,
      { smtp: { code: 554, enhanced: '5.7.1' } },
    );
  }

  async check(req: InboundCheckRequest): Promise<InboundVerdict> {
    const unchecked: InboundVerdict = { blob: req.blob, scoreHits: [], quarantine: null };
    if (req.exempt) return unchecked;
    // A listing that appeared after RCPT still refuses; the answers are the memo's.
    await this.recipient(req);
    const scoreHits = (await this.listings(req.clientIp)).flatMap((h) =>
      h.action.kind === 'score'
        ? [
            {
              name: `RCVD_IN_${h.zone.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
              score: h.action.score,
              description: `Client [${req.clientIp}] listed in ${h.zone} (${h.codes.join(', ')})`,
            },
          ]
        : [],
    );
    const base: InboundVerdict = { ...unchecked, scoreHits };
    if (!this.config.get<boolean>('authenticity.check')) return base;
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
      return base;
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
    const reason = quarantine ? `DMARC policy of ${verdict.fromDomain}` : null;
    const extra = reason ? `X-Mailstead-Quarantine: ${reason}\r\n` : '';
    return {
      blob: await this.blobs.put(Buffer.concat([Buffer.from(verdict.headers + extra, 'utf8'), message])),
      scoreHits,
      quarantine: reason,
    };
  }
}
