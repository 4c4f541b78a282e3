// The content stage between the end of DATA and the queue commit: viruses first (an infected
// message is never scored), then spam. Each stage throws the SMTP refusal that ends the transaction.
import type { ScoreHit } from '../policy/inbound-checks.js';
import type { BlobRef } from '../store/blobs/blob-store.js';
import type { SpamCheck } from './spam-check.js';
import type { VirusCheck } from './virus/virus-check.js';

export interface ContentScanRequest {
  queueId: string;
  blob: BlobRef;
  sender: string;
  recipients: { address: string; kind: 'local' | 'remote' }[];
  clientIp: string | null;
  authUser: string | null;
  messageId: string | null;
  /** Scores the inbound checks found (DNSBL zones set to score:N), added to the spam score. */
  scoreHits?: ScoreHit[];
  /** Why the message goes to Junk whatever its score (DMARC p=quarantine), or null. */
  quarantine?: string | null;
}

export class ContentScanner {
  constructor(
    private readonly virus: VirusCheck,
    private readonly spam: SpamCheck,
  ) {}

  /** The blob to queue in place of `req.blob` (tagged by the spam stage, or the same). */
  async check(req: ContentScanRequest): Promise<BlobRef> {
    const virus = await this.virus.check({ ...req, recipients: req.recipients.map((r) => r.address) });
    return this.spam.check({ ...req, blob: virus.blob, virus: virus.result });
  }
}
