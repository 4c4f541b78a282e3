// The spam stage at the end of DATA: score with the worker pool, refuse above spam.reject_score,
// otherwise tag the message (a new blob) and record the verdict for delivery and for "why".
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { cachedNetworks } from '../policy/networks.js';
import { refuse } from '../policy/refusal.js';
import type { BlobRef, BlobStore } from '../store/blobs/blob-store.js';
import type { ScanCounts } from './scan-counts.js';
import type { SpamStore } from '../store/spam/spam-store.js';
import type { VerdictAction, VirusResult } from '../store/spam/verdict-repo.js';
import { quarantineHit } from './junk-filing.js';
import { configCf, localRulesDir, ruleSources } from './rule-sources.js';
import { senderListVerdict } from './sender-lists.js';
import { parseCf, readCfSources } from './spam/cf-parser.js';
import { firstAddress } from './spam/header-access.js';
import { headerValue, parseHeaderBlock } from './spam/mime.js';
import { applyResult } from './spam/report.js';
import type { SpamHit, SpamResult } from './spam/engine.js';
import { SpamScanner } from './spam/scanner.js';
import type { SpamSettings } from './spam/types.js';

export interface SpamTarget {
  queueId: string;
  blob: BlobRef;
  sender: string;
  recipients: { address: string; kind: 'local' | 'remote' }[];
  clientIp: string | null;
  authUser: string | null;
  messageId: string | null;
  /** Scores found before this stage (DNSBL zones set to score:N), added to the rules' score. */
  scoreHits?: SpamHit[];
  /** Why the message goes to Junk whatever its score (DMARC p=quarantine), or null. */
  quarantine?: string | null;
  /** The virus stage's result, kept with the verdict for the message trace. */
  virus?: VirusResult;
}

export interface SpamCheckDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  blobs: BlobStore;
  store: SpamStore;
  /** The dashboard's hourly counts. */
  counts: ScanCounts;
  /** The account a local recipient address delivers to, if it is one mailbox. */
  accountOf(address: string): Promise<number | undefined>;
}

type Mode = 'skip' | 'tag' | 'full';

/** Most local recipients whose allow lists are consulted before refusing a message. */
const MAX_LIST_LOOKUPS = 50;

export class SpamCheck {
  private scanner?: SpamScanner;
  private settings?: SpamSettings;
  private ready = false;
  private readonly trusted = cachedNetworks(() => this.deps.config.get<string[]>('smtp.trusted_networks'));

  constructor(private readonly deps: SpamCheckDeps) {}

  /** Starts compiling the rules in the workers; scanning begins once they are ready, mail flows meanwhile. */
  start(): void {
    const { config, log } = this.deps;
    if (this.scanner || !config.get<boolean>('spam.enabled')) return;
    const t0 = Date.now();
    this.settings = parseCf([...readCfSources([localRulesDir(config)]), configCf(config)]).settings;
    this.scanner = new SpamScanner({
      rules: ruleSources(config),
      poolSize: config.get<number>('spam.workers'),
      timeoutMs: config.get<number>('spam.timeout'),
      bayesStore: this.deps.store.bayes,
      reputationStore: this.deps.store.reputation,
    });
    this.scanner.ready().then(
      () => {
        this.ready = true;
        log.info(
          { event: 'spam_rules_ready', ms: Date.now() - t0, stock: config.get<boolean>('spam.stock_rules') },
          'spam rules compiled',
        );
      },
      (e: Error) =>
        log.error(
          { event: 'spam_rules_failed', err: e.message },
          'spam rules failed to load; mail is accepted unscanned',
        ),
    );
  }

  get isReady(): boolean {
    return this.ready;
  }

  async close(): Promise<void> {
    await this.scanner?.close();
    this.scanner = undefined;
    this.ready = false;
  }

  private count(result: string): void {
    this.deps.metrics
      .counter('mailstead_spam_scans_total', 'Messages through the spam stage, by result', ['result'])
      .inc({ result });
    this.deps.counts.record('spam', result);
  }

  private mode(t: SpamTarget): Mode {
    const { config } = this.deps;
    if (t.authUser) return config.get<Mode>('spam.authenticated');
    if (t.clientIp && this.trusted().has(t.clientIp)) return config.get<Mode>('spam.trusted_networks');
    return 'full';
  }

  /** The blob to queue (the tagged copy, or the original when not scanned); throws a refusal. */
  async check(t: SpamTarget): Promise<BlobRef> {
    const blob = await this.scan(t);
    // Junk filing reads the quarantine from the verdict; an unscanned message gets one of its own
    // (a scanned one already has it, and the first verdict of a queue id is the one kept).
    if (t.quarantine)
      await this.deps.store.verdicts.record({
        queueId: t.queueId,
        messageId: t.messageId,
        from: null,
        score: 0,
        required: this.settings?.requiredScore ?? 5,
        action: 'accept',
        hits: [quarantineHit(t.quarantine)],
        virus: t.virus ?? null,
        createdAt: Date.now(),
      });
    return blob;
  }

  private async scan(t: SpamTarget): Promise<BlobRef> {
    const { config, log, blobs, store } = this.deps;
    if (!this.scanner) return t.blob;
    const mode = this.mode(t);
    if (mode === 'skip') return (this.count('skipped'), t.blob);
    if (t.blob.size > config.get<number>('spam.max_size')) return (this.count('too_large'), t.blob);
    const raw = await blobs.get(t.blob.hash);
    if (!this.ready) {
      if (config.get<string>('spam.unready') === 'tempfail') {
        this.count('unready_deferred');
        throw refuse(451, '4.7.1', 'Spam filter is starting, try again later');
      }
      this.count('unready_accepted');
      return blobs.put(
        Buffer.concat([Buffer.from('X-Spam-Checker: Mailstead; not scanned, rules still loading\r\n'), raw]),
      );
    }
    const local = t.recipients.filter((r) => r.kind === 'local').slice(0, MAX_LIST_LOOKUPS);
    const accounts = (await Promise.all(local.map((r) => this.deps.accountOf(r.address)))).filter(
      (id): id is number => id !== undefined,
    );
    const owner =
      config.get<string>('spam.bayes_scope') === 'user' && local.length === 1 && accounts.length === 1
        ? String(accounts[0])
        : '';
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await this.scanner.scan(raw, {
        env: {
          from: t.sender,
          to: t.recipients.map((r) => r.address),
          ...(t.clientIp ? { ip: t.clientIp } : {}),
        },
        user: owner,
      });
    } catch (e) {
      this.count('error');
      log.error(
        { event: 'spam_scan_failed', queueId: t.queueId, err: (e as Error).message },
        'spam scan failed; message accepted unscanned',
      );
      return t.blob;
    }
    addHits(result, [...(t.scoreHits ?? []), ...(t.quarantine ? [quarantineHit(t.quarantine)] : [])]);
    this.deps.metrics
      .histogram(
        'mailstead_spam_scan_seconds',
        'Time to score one message',
        [],
        [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      )
      .observe({}, Number(process.hrtime.bigint() - started) / 1e9);

    const from =
      firstAddress(
        headerValue(
          parseHeaderBlock(raw.subarray(0, 64 * 1024).toString('latin1'), new Set(), true).headers,
          'from',
        ) ?? '',
      ) || null;
    const senders = [t.sender, from ?? ''];
    const allowed = await this.anyAllows(accounts, senders);
    const rejectAt = config.get<number>('spam.reject_score');
    const action: VerdictAction =
      mode === 'full' && rejectAt > 0 && result.score >= rejectAt && !allowed
        ? 'reject'
        : result.isSpam
          ? 'tag'
          : 'accept';
    await store.verdicts.record({
      queueId: t.queueId,
      messageId: t.messageId,
      from,
      score: result.score,
      required: result.required,
      action,
      hits: result.hits,
      virus: t.virus ?? null,
      createdAt: Date.now(),
    });
    this.count(action);
    log.info({
      event: 'spam_scanned',
      queueId: t.queueId,
      score: result.score,
      action,
      tests: result.hits.map((h) => h.name).join(','),
      autolearn: result.autolearn,
      bayesOwner: owner || undefined,
    });
    if (action === 'reject')
      throw refuse(550, '5.7.1', `Message rejected as spam (score ${result.score.toFixed(1)})`);
    return blobs.put(applyResult(raw, result, this.settings!));
  }

  private async anyAllows(accounts: number[], senders: string[]): Promise<boolean> {
    for (const id of accounts)
      if (senderListVerdict(await this.deps.store.prefs.get(id), senders) === 'allow') return true;
    return false;
  }
}

/** Hits found outside the rules count like the rules' own (as SpamAssassin's DNS tests do). */
function addHits(result: SpamResult, hits: SpamHit[]): void {
  if (!hits.length) return;
  result.hits.push(...hits);
  result.score = Math.round((result.score + hits.reduce((n, h) => n + h.score, 0)) * 1000) / 1000;
  result.isSpam = result.score >= result.required;
}
