import type { SpamHit } from '../../scan/spam/engine.js';
import type { SqlDb } from '../sql.js';

export type VerdictAction = 'accept' | 'tag' | 'reject';
export type VirusResult = 'clean' | 'unavailable' | null;

export interface SpamVerdict {
  queueId: string;
  messageId: string | null;
  /** The From: header address, for users' allow and block lists at delivery. */
  from: string | null;
  score: number;
  required: number;
  action: VerdictAction;
  hits: SpamHit[];
  /**
   * What the virus stage said of the same message: `clean`, `unavailable` (clamd did not answer
   * and antivirus.fail_open let it through), or null when virus scanning is off.
   */
  virus: VirusResult;
  createdAt: number;
}

/**
 * The verdict of each scanned message with its rule hits, keyed by queue id (which the Received
 * header names), so the admin UI and webmail can show why a message was or was not spam, and
 * local delivery can decide Junk per recipient.
 */
export class SpamVerdictRepo {
  constructor(private readonly db: SqlDb) {}

  async record(v: SpamVerdict): Promise<void> {
    await this.db.run(
      `INSERT INTO spam_verdicts (queue_id, message_id, from_address, score, required, action, hits, virus, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (queue_id) DO NOTHING`,
      [
        v.queueId,
        v.messageId,
        v.from,
        v.score,
        v.required,
        v.action,
        JSON.stringify(v.hits),
        v.virus,
        v.createdAt,
      ],
    );
  }

  async get(queueId: string): Promise<SpamVerdict | undefined> {
    const r = await this.db.get<{
      queue_id: string;
      message_id: string | null;
      from_address: string | null;
      score: number;
      required: number;
      action: VerdictAction;
      hits: string;
      virus: VirusResult;
      created_at: number;
    }>(
      'SELECT queue_id, message_id, from_address, score, required, action, hits, virus, created_at FROM spam_verdicts WHERE queue_id = ?',
      [queueId],
    );
    return (
      r && {
        queueId: r.queue_id,
        messageId: r.message_id,
        from: r.from_address,
        score: Number(r.score),
        required: Number(r.required),
        action: r.action,
        hits: JSON.parse(r.hits) as SpamHit[],
        virus: r.virus ?? null,
        createdAt: Number(r.created_at),
      }
    );
  }

  async prune(before: number): Promise<number> {
    return (await this.db.run('DELETE FROM spam_verdicts WHERE created_at < ?', [before])).changes;
  }
}
