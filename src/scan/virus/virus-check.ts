// The virus stage at the end of DATA: our own part-size limit, then clamd. Infected mail is
// refused (and optionally quarantined); when clamd cannot answer, antivirus.fail_open decides.
import type { Config } from '../../config/config.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { refuse } from '../../policy/refusal.js';
import type { BlobRef, BlobStore } from '../../store/blobs/blob-store.js';
import type { QuarantineRepo } from '../../store/spam/quarantine-repo.js';
import type { VirusResult } from '../../store/spam/verdict-repo.js';
import type { ScanCounts } from '../scan-counts.js';
import { blobChunks } from '../blob-chunks.js';
import { ClamdClient, ClamdError, type ClamdStats, type ClamdVersion } from './clamd-client.js';
import { largestPart } from './largest-part.js';
import { unscannedMark } from './unscanned-mark.js';

export interface VirusTarget {
  queueId: string;
  blob: BlobRef;
  sender: string;
  recipients: string[];
  clientIp: string | null;
}

/** clamd as the admin sees it: off (no address), unreachable with why, or up with its figures. */
export type ClamdStatus =
  | { address: null; reachable: false }
  | { address: string; reachable: false; error: string }
  | { address: string; reachable: true; version: ClamdVersion; stats: ClamdStats };

export interface VirusCheckDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  blobs: BlobStore;
  quarantine: QuarantineRepo;
  /** The dashboard's hourly counts. */
  counts: ScanCounts;
}

export class VirusCheck {
  constructor(private readonly deps: VirusCheckDeps) {}

  private count(result: string): void {
    this.deps.metrics
      .counter('mailstead_antivirus_scans_total', 'Messages through the virus stage, by result', ['result'])
      .inc({ result });
    this.deps.counts.record('virus', result);
  }

  /** The client for antivirus.clamd, or undefined when virus scanning is off. */
  client(): ClamdClient | undefined {
    const addr = this.deps.config.get<string>('antivirus.clamd');
    return addr ? new ClamdClient(addr, this.deps.config.get<number>('antivirus.timeout')) : undefined;
  }

  /** clamd as the admin sees it: off, or reachable with its engine, signature database and load. */
  async status(): Promise<ClamdStatus> {
    const clamd = this.client();
    if (!clamd) return { address: null, reachable: false };
    const address = this.deps.config.get<string>('antivirus.clamd');
    try {
      const [version, stats] = [await clamd.version(), await clamd.stats()];
      return { address, reachable: true, version, stats };
    } catch (e) {
      return { address, reachable: false, error: (e as Error).message };
    }
  }

  /**
   * Resolves with the blob to go on with (the same, or when clamd could not answer and
   * antivirus.fail_open let it through, a copy marked unscanned) and the result for the message
   * trace (null: scanning is off); throws the SMTP refusal otherwise.
   */
  async check(t: VirusTarget): Promise<{ blob: BlobRef; result: VirusResult }> {
    const { config, log, blobs } = this.deps;
    const maxPart = config.get<number>('antivirus.max_part_size');
    // No part is larger than the message: most mail is below the limit and is not read for it.
    if (maxPart > 0 && t.blob.size > maxPart) {
      const largest = await largestPart(blobChunks(blobs, t.blob));
      if (largest > maxPart) {
        this.count('oversized_part');
        log.info({ event: 'part_too_large', queueId: t.queueId, largest, limit: maxPart });
        throw refuse(552, '5.3.4', `Message part too large (${largest} bytes, limit ${maxPart})`);
      }
    }
    const clamd = this.client();
    if (!clamd) return { blob: t.blob, result: null };
    let verdict;
    try {
      verdict = await clamd.scan(blobChunks(blobs, t.blob));
    } catch (e) {
      if (e instanceof ClamdError && /size limit/i.test(e.message)) {
        this.count('too_large');
        log.warn(
          { event: 'virus_scan_too_large', queueId: t.queueId, size: t.blob.size, err: e.message },
          'clamd refused the message as too large',
        );
        throw refuse(552, '5.3.4', 'Message too large to be scanned for viruses');
      }
      const open = config.get<boolean>('antivirus.fail_open');
      this.count(open ? 'unavailable_accepted' : 'unavailable_deferred');
      log.error(
        { event: 'clamd_unavailable', queueId: t.queueId, err: (e as Error).message, failOpen: open },
        open ? 'clamd unavailable; message accepted unscanned' : 'clamd unavailable; message deferred',
      );
      if (open)
        return {
          blob: await blobs.put(
            Buffer.concat([Buffer.from(unscannedMark(t.queueId)), await blobs.get(t.blob.hash)]),
          ),
          result: 'unavailable',
        };
      throw refuse(451, '4.7.1', 'Virus scanner unavailable, try again later');
    }
    if (!verdict.infected) return (this.count('clean'), { blob: t.blob, result: 'clean' });
    this.count('infected');
    const quarantined = config.get<boolean>('antivirus.quarantine');
    log.warn({
      event: 'virus_found',
      queueId: t.queueId,
      virus: verdict.name,
      from: t.sender,
      rcpts: t.recipients,
      clientIp: t.clientIp,
      quarantined,
    });
    if (quarantined)
      await this.deps.quarantine.add(
        {
          id: newId(),
          virus: verdict.name,
          sender: t.sender,
          recipients: t.recipients,
          clientIp: t.clientIp,
          createdAt: Date.now(),
        },
        t.blob,
      );
    throw refuse(554, '5.7.1', `Virus found: ${verdict.name}`);
  }
}
