import type { Clock } from '../core/clock.js';
import { NotFoundError, OperatorError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type {
  AttemptRow,
  MessageRow,
  QueueCursor,
  QueueFilter,
  RecipientRow,
  RecipientState,
} from '../store/queue/queue-repo.js';
import type { QueueRepo } from '../store/queue/queue-repo.js';
import type { EnqueueRequest } from './types.js';
import { rfc5322Date } from './rfc5322-date.js';

export interface QueueListItem {
  queueId: string;
  sender: string;
  recipient: string;
  kind: 'local' | 'remote';
  domain: string;
  state: RecipientState;
  size: number;
  subject: string | null;
  queuedAt: string;
  ageSeconds: number;
  attempts: number;
  nextAttempt: string | null;
  lastReply: string | null;
}

export interface QueuePage {
  items: QueueListItem[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export interface QueueMessageDetail {
  message: MessageRow;
  recipients: RecipientRow[];
  attempts: AttemptRow[];
  /** The header block as stored, with the trace headers the queue adds at delivery. */
  headers: string;
}

export interface QueueStats {
  local: number;
  remote: number;
  queued: number;
  deferred: number;
  held: number;
  total: number;
  heldAccounts: { account: string; reason: string; since: number }[];
}

export interface QueueShape {
  buckets: string[];
  rows: { domain: string; total: number; counts: number[] }[];
}

/** Age buckets of qshape: minutes, doubling. */
const SHAPE_BUCKETS = [5, 10, 20, 40, 80, 160, 320, 640, 1280];

/**
 * Queue management, for the CLI (`mailstead queue …`) and the admin UI: list, show, delete,
 * hold, release, retry, purge, stats, shape and a test message. Deleting and purging remove
 * mail without delivering it; retry only makes it due now, the queue manager delivers it.
 */
export class QueueService {
  constructor(
    private readonly repo: QueueRepo,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly enqueue: (req: EnqueueRequest) => Promise<string>,
  ) {}

  async list(f: QueueFilter = {}): Promise<QueueListItem[]> {
    return (await this.page(f, {})).items;
  }

  /**
   * One page of the listing: `limit` rows after the cursor `after` (from the previous page's
   * `next`), or after skipping `offset` rows. The cursor reads only the page itself, however deep.
   */
  async page(f: QueueFilter, opts: { after?: string; offset?: number }): Promise<QueuePage> {
    const now = this.clock.now();
    const limit = f.limit ?? 1000;
    const rows = await this.repo.list({ ...f, limit: limit + 1 }, now, {
      ...(opts.after === undefined ? {} : { after: parseCursor(opts.after) }),
      ...(opts.offset === undefined ? {} : { offset: opts.offset }),
    });
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows.slice(0, limit).map((r) => ({
        queueId: r.queueId,
        sender: r.message.sender,
        recipient: r.recipient,
        kind: r.kind,
        domain: r.domain,
        state: r.state,
        size: r.message.size,
        subject: r.message.subject,
        queuedAt: new Date(r.message.receivedAt).toISOString(),
        ageSeconds: Math.round((now - r.message.receivedAt) / 1000),
        attempts: r.attempts,
        nextAttempt: r.state === 'deferred' ? new Date(r.nextAttempt).toISOString() : null,
        lastReply: r.lastReply,
      })),
      next: last ? `${last.message.receivedAt}.${last.id}.${last.queueId}` : null,
    };
  }

  async show(queueId: string): Promise<QueueMessageDetail> {
    const m = await this.repo.message(queueId);
    if (!m) throw new NotFoundError(`queue id ${queueId}`);
    const head = await this.blobs
      .read(m.message.blobHash, 0, 256 * 1024, m.message.blobVolume || undefined)
      .catch(() => Buffer.alloc(0));
    const text = head.toString('utf8');
    const end = text.search(/\r?\n\r?\n/);
    return { ...m, headers: m.message.trace + (end >= 0 ? text.slice(0, end) : text) };
  }

  /** Removes messages without delivering them. */
  async delete(queueIds: string[]): Promise<number> {
    return this.repo.deleteMessages(queueIds);
  }

  /** Removes every message matching the filter (all when empty) without delivering it: purging is not processing. */
  async purge(f: QueueFilter = {}): Promise<number> {
    return this.repo.deleteMessages(await this.repo.matchingIds(f, this.clock.now()));
  }

  async hold(f: QueueFilter): Promise<number> {
    return this.repo.setState(f, ['queued', 'deferred'], 'held', 'held by administrator', this.clock.now());
  }

  /** Releases held mail (and, with `account`, lifts that account's hold so its new mail flows). */
  async release(f: QueueFilter & { account?: string }): Promise<number> {
    const { account, ...filter } = f;
    const now = this.clock.now();
    if (account) {
      await this.repo.releaseAccount(account.toLowerCase());
      return this.repo.setState(
        { ...filter, authUser: account.toLowerCase() },
        ['held'],
        'queued',
        null,
        now,
      );
    }
    return this.repo.setState(filter, ['held'], 'queued', null, now);
  }

  /** Makes deferred mail due now. */
  async retry(f: QueueFilter = {}): Promise<number> {
    return this.repo.setState(f, ['deferred'], 'queued', null, this.clock.now());
  }

  async stats(): Promise<QueueStats> {
    const s: QueueStats = {
      local: 0,
      remote: 0,
      queued: 0,
      deferred: 0,
      held: 0,
      total: 0,
      heldAccounts: await this.repo.heldAccounts(),
    };
    for (const c of await this.repo.counts()) {
      if (c.state === 'delivered' || c.state === 'bounced') continue;
      s[c.kind] += c.n;
      s[c.state] += c.n;
      s.total += c.n;
    }
    return s;
  }

  /** Open recipients by destination domain and age (Postfix qshape). */
  async shape(state?: RecipientState): Promise<QueueShape> {
    const now = this.clock.now();
    const byDomain = new Map<string, number[]>();
    for (const r of await this.repo.openAges(state)) {
      const ageMin = (now - r.receivedAt) / 60_000;
      let b = SHAPE_BUCKETS.findIndex((limit) => ageMin < limit);
      if (b < 0) b = SHAPE_BUCKETS.length;
      const counts = byDomain.get(r.domain) ?? new Array<number>(SHAPE_BUCKETS.length + 1).fill(0);
      counts[b]!++;
      byDomain.set(r.domain, counts);
    }
    const rows = [...byDomain]
      .map(([domain, counts]) => ({ domain, total: counts.reduce((a, b) => a + b, 0), counts }))
      .sort((a, b) => b.total - a.total);
    return { buckets: [...SHAPE_BUCKETS.map((m) => `<${m}m`), `${SHAPE_BUCKETS.at(-1)}m+`], rows };
  }

  /** Queues a small test message from `from` to `to`; returns its queue id. */
  async sendTest(from: string, to: string, hostname: string): Promise<string> {
    const queueId = newId(this.clock.now());
    const date = rfc5322Date(new Date(this.clock.now()));
    const body = Buffer.from(
      `From: <${from}>\r\nTo: <${to}>\r\nSubject: Mailstead test message ${queueId}\r\nDate: ${date}\r\nMessage-ID: <${queueId}@${hostname}>\r\n\r\nThis is a test message queued by \`mailstead queue test\`.\r\n`,
    );
    const blob = await this.blobs.put(body);
    return this.enqueue({
      queueId,
      sender: from,
      recipients: [{ address: to, kind: 'local' }],
      blob,
      trace: `Received: by ${hostname} (Mailstead) with local id ${queueId}; ${date}\r\n`,
      messageId: `<${queueId}@${hostname}>`,
      subject: `Mailstead test message ${queueId}`,
      clientIp: null,
      clientName: null,
      helo: null,
      authUser: null,
      source: 'local',
    });
  }
}

/** A cursor of `page`: `receivedAt.recipientRowId.queueId`, as `next` made it. */
function parseCursor(s: string): QueueCursor {
  const m = /^(\d{1,15})\.(\d{1,15})\.([\w-]{1,64})$/.exec(s);
  if (!m)
    throw new OperatorError(
      `not a queue listing cursor: ${s.slice(0, 80)} (pass the "next" of the previous page)`,
    );
  return { receivedAt: Number(m[1]), recipientId: Number(m[2]), queueId: m[3]! };
}
