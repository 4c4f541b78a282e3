// Local delivery's question "does this message go to the recipient's Junk folder?", answered
// from the verdict recorded at SMTP time and the recipient's own threshold and sender lists.
import type { Config } from '../config/config.js';
import type { MailboxService } from '../mailbox/mailbox-service.js';
import type { SpamStore } from '../store/spam/spam-store.js';
import type { SpamHit } from './spam/engine.js';
import { isJunkFor } from './sender-lists.js';

const QUARANTINE = 'MAILSTEAD_QUARANTINE';

/** The verdict's mark of a message quarantined before the spam stage (DMARC p=quarantine). */
export function quarantineHit(reason: string): SpamHit {
  return { name: QUARANTINE, score: 0, description: `Quarantined: ${reason}` };
}

export class JunkFiling {
  constructor(
    private readonly config: Config,
    private readonly store: SpamStore,
    private readonly mailbox: Pick<MailboxService, 'actorFor' | 'folders'>,
  ) {}

  /**
   * The Junk folder's name when this queued message is spam for this account, or was quarantined
   * (a DMARC failure: no allow list or threshold of the user overrides that, since the From: the
   * allow list would match is the forged one), else undefined.
   */
  async folderFor(queueId: string, accountId: number, envelopeSender: string): Promise<string | undefined> {
    const v = await this.store.verdicts.get(queueId);
    if (!v || v.action === 'reject') return undefined;
    if (!v.hits.some((h) => h.name === QUARANTINE)) {
      if (!this.config.get<boolean>('spam.junk_folder')) return undefined;
      const prefs = await this.store.prefs.get(accountId);
      if (!isJunkFor(prefs, v.required, v.score, [envelopeSender, v.from ?? ''])) return undefined;
    }
    await this.mailbox.folders.ensureDefaults(accountId);
    const folders = await this.mailbox.folders.list(await this.mailbox.actorFor(accountId));
    return folders.find((f) => f.ownerId === accountId && f.specialUse === '\\Junk')?.name ?? 'Junk';
  }
}
