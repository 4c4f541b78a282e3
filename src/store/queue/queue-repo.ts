import { addBlobRefs, releaseBlobRefs } from '../blobs/blob-refs.js';
import type { BlobRef } from '../blobs/blob-store.js';
import type { SqlDb, SqlValue } from '../sql.js';

export type RecipientState = 'queued' | 'deferred' | 'held' | 'delivered' | 'bounced';
export type RecipientKind = 'local' | 'remote';
export const FINAL_STATES: readonly RecipientState[] = ['delivered', 'bounced'];

export interface NewRecipient {
  address: string;
  domain: string;
  kind: RecipientKind;
  /** Set when the address was already expanded to this account's mailbox. */
  accountId?: number | null;
  orcpt?: string | null;
  notify?: string | null;
  state: 'queued' | 'deferred' | 'held';
  nextAttempt: number;
  reply?: string | null;
}

export interface NewMessage {
  id: string;
  sender: string;
  blob: BlobRef;
  blobVolume?: string;
  trace: string;
  messageId: string | null;
  subject: string | null;
  clientIp: string | null;
  clientName: string | null;
  helo: string | null;
  authUser: string | null;
  source: string;
  dsnRet: string | null;
  dsnEnvid: string | null;
  receivedAt: number;
  recipients: NewRecipient[];
}

export interface MessageRow {
  id: string;
  sender: string;
  blobHash: string;
  blobVolume: string;
  size: number;
  trace: string;
  messageId: string | null;
  subject: string | null;
  clientIp: string | null;
  clientName: string | null;
  helo: string | null;
  authUser: string | null;
  source: string;
  dsnRet: string | null;
  dsnEnvid: string | null;
  receivedAt: number;
}

export interface RecipientRow {
  id: number;
  queueId: string;
  recipient: string;
  domain: string;
  kind: RecipientKind;
  accountId: number | null;
  orcpt: string | null;
  notify: string | null;
  state: RecipientState;
  nextAttempt: number;
  attempts: number;
  lastReply: string | null;
  updatedAt: number;
}

/** Where the queue manager's walk over due recipients stands: the last row it passed. */
export interface DueCursor {
  nextAttempt: number;
  id: number;
}

/** What picking needs to know of a due recipient before reading it whole. */
export interface DueKey extends DueCursor {
  queueId: string;
  kind: RecipientKind;
}

/** A recipient ready for a delivery attempt, with its message. */
export interface DueRecipient extends RecipientRow {
  message: MessageRow;
}

export interface AttemptRow {
  recipient: string;
  time: number;
  result: string;
  reply: string;
}

/** The result of one delivery attempt, written back by `applyOutcomes`. */
export interface RecipientOutcome {
  rowId: number;
  queueId: string;
  recipient: string;
  state: Exclude<RecipientState, 'queued'>;
  reply: string;
  result: 'success' | 'deferral' | 'failure' | 'expanded';
  nextAttempt?: number;
  /** New recipients (alias members, forwards) created by this attempt. */
  children?: NewRecipient[];
  /** A delivery status notification this outcome owes the sender, stored with it. */
  notice?: 'failed' | 'delivered';
  orcpt?: string | null;
}

/** A delivery status notification owed to a message's sender (RFC 3464). */
export interface Notice {
  id: number;
  recipient: string;
  orcpt: string | null;
  action: 'failed' | 'delayed' | 'delivered';
  reply: string;
  time: number;
}

export interface QueueFilter {
  sender?: string;
  recipient?: string;
  domain?: string;
  state?: RecipientState;
  /** Only messages queued at least this long ago (ms). */
  minAge?: number;
  queueIds?: string[];
  /** Messages submitted by this authenticated account. */
  authUser?: string;
  limit?: number;
}

/**
 * Where a page of the queue listing ends: the last row's message time, id and recipient row.
 * The next page starts strictly after it, so deep pages cost what the first one does.
 */
export interface QueueCursor {
  receivedAt: number;
  queueId: string;
  recipientId: number;
}

const MESSAGE_COLS = `m.id AS m_id, m.sender AS m_sender, m.blob_hash AS m_blob_hash, m.blob_volume AS m_blob_volume, m.size AS m_size,
  m.trace AS m_trace, m.message_id AS m_message_id, m.subject AS m_subject, m.client_ip AS m_client_ip, m.client_name AS m_client_name,
  m.helo AS m_helo, m.auth_user AS m_auth_user, m.source AS m_source, m.dsn_ret AS m_dsn_ret, m.dsn_envid AS m_dsn_envid, m.received_at AS m_received_at`;
const RECIPIENT_COLS = `r.id, r.queue_id, r.recipient, r.domain, r.kind, r.account_id, r.orcpt, r.notify, r.state, r.next_attempt, r.attempts, r.last_reply, r.updated_at`;

type Raw = Record<string, unknown>;
const num = (v: unknown) => Number(v);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Placeholders for an IN list. */
const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toMessage(r: Raw): MessageRow {
  return {
    id: String(r.m_id),
    sender: String(r.m_sender),
    blobHash: String(r.m_blob_hash),
    blobVolume: String(r.m_blob_volume ?? ''),
    size: num(r.m_size),
    trace: String(r.m_trace),
    messageId: str(r.m_message_id),
    subject: str(r.m_subject),
    clientIp: str(r.m_client_ip),
    clientName: str(r.m_client_name),
    helo: str(r.m_helo),
    authUser: str(r.m_auth_user),
    source: String(r.m_source),
    dsnRet: str(r.m_dsn_ret),
    dsnEnvid: str(r.m_dsn_envid),
    receivedAt: num(r.m_received_at),
  };
}

function toRecipient(r: Raw): RecipientRow {
  return {
    id: num(r.id),
    queueId: String(r.queue_id),
    recipient: String(r.recipient),
    domain: String(r.domain),
    kind: r.kind as RecipientKind,
    accountId: numOrNull(r.account_id),
    orcpt: str(r.orcpt),
    notify: str(r.notify),
    state: r.state as RecipientState,
    nextAttempt: num(r.next_attempt),
    attempts: num(r.attempts),
    lastReply: str(r.last_reply),
    updatedAt: num(r.updated_at),
  };
}

function filterSql(
  f: QueueFilter,
  now: number,
  opts: { byMessage?: boolean } = {},
): { where: string; params: SqlValue[] } {
  const conds: string[] = [];
  const params: SqlValue[] = [];
  if (f.sender !== undefined) {
    conds.push('LOWER(m.sender) LIKE ?');
    params.push(`%${f.sender.toLowerCase()}%`);
  }
  if (f.recipient !== undefined) {
    conds.push('LOWER(r.recipient) LIKE ?');
    params.push(`%${f.recipient.toLowerCase()}%`);
  }
  if (f.domain !== undefined) {
    conds.push('r.domain = ?');
    params.push(f.domain.toLowerCase());
  }
  if (f.state !== undefined) {
    // Walking messages, recipients must be found by queue id: an indexable state test would
    // make SQLite scan every recipient of that state once per message (seconds at 100k).
    conds.push(opts.byMessage ? "r.state || '' = ?" : 'r.state = ?');
    params.push(f.state);
  }
  if (f.minAge !== undefined) {
    conds.push('m.received_at <= ?');
    params.push(now - f.minAge);
  }
  if (f.authUser !== undefined) {
    conds.push('LOWER(m.auth_user) = ?');
    params.push(f.authUser.toLowerCase());
  }
  if (f.queueIds?.length) {
    conds.push(`m.id IN (${f.queueIds.map(() => '?').join(', ')})`);
    params.push(...f.queueIds);
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** The listing's statement (exported so a test can check SQLite's plan for it). */
export function listSql(
  f: QueueFilter,
  now: number,
  page: { after?: QueueCursor; offset?: number },
): { sql: string; params: SqlValue[] } {
  const { where, params } = filterSql(f, now, { byMessage: true });
  const conds = where ? [where.slice('WHERE '.length)] : [];
  const after = page.after;
  if (after) {
    // Spelled out rather than as a row value so the leading received_at bound uses the index.
    conds.push('m.received_at <= ? AND (m.received_at < ? OR m.id < ? OR (m.id = ? AND r.id > ?))');
    params.push(after.receivedAt, after.receivedAt, after.queueId, after.queueId, after.recipientId);
  }
  // Messages drive the join: CROSS JOIN keeps SQLite from starting at the recipients and sorting them all.
  return {
    sql: `SELECT ${RECIPIENT_COLS}, ${MESSAGE_COLS} FROM queue_messages m CROSS JOIN queue_recipients r
       WHERE r.queue_id = m.id${conds.length ? ` AND ${conds.join(' AND ')}` : ''}
       ORDER BY m.received_at DESC, m.id DESC, r.id LIMIT ? OFFSET ?`,
    params: [...params, f.limit ?? 1000, page.offset ?? 0],
  };
}

/**
 * The walk over due recipients (exported so a test can check SQLite's plans): the rows at the
 * cursor's time after its id, then the rows of later times. Two ranges rather than one row-value
 * test: with many rows at one time (a backlog written at once) the index would be read from that
 * time's first row on every call.
 */
export const DUE_KEYS_SQL = {
  sameTime:
    'SELECT id, queue_id, kind, next_attempt FROM queue_recipients WHERE state = ? AND next_attempt = ? AND id > ? ORDER BY id LIMIT ?',
  later:
    'SELECT id, queue_id, kind, next_attempt FROM queue_recipients WHERE state = ? AND next_attempt > ? AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?',
};

/**
 * The due remote recipients of `n` messages. State and time are kept away from the index
 * (|| '', + 0): starting from the picking index would read every due row of a large backlog to
 * find a few messages' recipients.
 */
export function dueRemoteSql(n: number): string {
  return `SELECT ${RECIPIENT_COLS} FROM queue_recipients r
    WHERE r.queue_id IN (${marks(Array.from({ length: n }))}) AND r.kind = 'remote' AND r.state || '' = ? AND r.next_attempt + 0 <= ?
    ORDER BY r.id`;
}

/** Every SQL statement of the queue. Callers pass a transaction view when they hold one. */
export class QueueRepo {
  constructor(private readonly db: SqlDb) {}

  /** Stores new messages with their recipients and blob references (call inside one transaction). */
  async insertMessages(tx: SqlDb, messages: readonly NewMessage[]): Promise<void> {
    for (const m of messages) {
      await tx.run(
        `INSERT INTO queue_messages (id, sender, blob_hash, blob_volume, size, trace, message_id, subject, client_ip, client_name, helo, auth_user, source, dsn_ret, dsn_envid, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          m.id,
          m.sender,
          m.blob.hash,
          m.blobVolume ?? '',
          m.blob.size,
          m.trace,
          m.messageId,
          m.subject,
          m.clientIp,
          m.clientName,
          m.helo,
          m.authUser,
          m.source,
          m.dsnRet,
          m.dsnEnvid,
          m.receivedAt,
        ],
      );
      await this.insertRecipients(tx, m.id, m.recipients, m.receivedAt);
      await addBlobRefs(tx, m.blob, 1, m.blobVolume ?? '');
    }
  }

  private async insertRecipients(
    tx: SqlDb,
    queueId: string,
    rcpts: readonly NewRecipient[],
    now: number,
  ): Promise<void> {
    // A recipient already on the message (two aliases naming one member, a forwarding loop) is
    // delivered once: the unique key drops the repeat.
    for (const part of chunks(rcpts, 50))
      await tx.run(
        `INSERT INTO queue_recipients (queue_id, recipient, domain, kind, account_id, orcpt, notify, state, next_attempt, last_reply, updated_at)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (queue_id, recipient) DO NOTHING`,
        part.flatMap((r) => [
          queueId,
          r.address,
          r.domain,
          r.kind,
          r.accountId ?? null,
          r.orcpt ?? null,
          r.notify ?? null,
          r.state,
          r.nextAttempt,
          r.reply ?? null,
          now,
        ]),
      );
  }

  /**
   * Keys of recipients in `state` whose time has come, in picking order (next attempt, then row
   * id), starting strictly after `after`. The index on (state, next_attempt, id, queue_id, kind)
   * answers it alone, however large the deferred backlog, and the cursor lets the queue manager
   * step over the rows it is already delivering instead of reading them again.
   */
  async dueKeys(
    state: 'queued' | 'deferred',
    now: number,
    after: DueCursor | undefined,
    limit: number,
  ): Promise<DueKey[]> {
    const rows = after
      ? await this.db.all<Raw>(DUE_KEYS_SQL.sameTime, [state, after.nextAttempt, after.id, limit])
      : [];
    if (rows.length < limit)
      rows.push(
        ...(await this.db.all<Raw>(DUE_KEYS_SQL.later, [
          state,
          after?.nextAttempt ?? Number.MIN_SAFE_INTEGER,
          now,
          limit - rows.length,
        ])),
      );
    return rows.map((r) => ({
      id: num(r.id),
      queueId: String(r.queue_id),
      kind: r.kind as RecipientKind,
      nextAttempt: num(r.next_attempt),
    }));
  }

  /**
   * The recipients to deliver for picked keys, with their messages (one object per message,
   * shared by its recipients): the rows `ids`, and every remote recipient of the messages
   * `remoteOf` that is in `state` and due, so a message's remote recipients go out together.
   */
  async dueRecipients(
    state: 'queued' | 'deferred',
    now: number,
    pick: { ids: readonly number[]; remoteOf: readonly string[] },
  ): Promise<DueRecipient[]> {
    const rows: Raw[] = [];
    for (const ids of chunks(pick.ids, 500))
      rows.push(
        ...(await this.db.all<Raw>(
          `SELECT ${RECIPIENT_COLS} FROM queue_recipients r WHERE r.id IN (${marks(ids)})`,
          ids,
        )),
      );
    for (const qids of chunks(pick.remoteOf, 100))
      rows.push(...(await this.db.all<Raw>(dueRemoteSql(qids.length), [...qids, state, now])));
    const recipients = rows.map(toRecipient);
    const messages = new Map<string, MessageRow>();
    const qids = [...new Set(recipients.map((r) => r.queueId))];
    for (const ids of chunks(qids, 500))
      for (const m of await this.db.all<Raw>(
        `SELECT ${MESSAGE_COLS} FROM queue_messages m WHERE m.id IN (${marks(ids)})`,
        ids,
      ))
        messages.set(String(m.m_id), toMessage(m));
    // A row whose message was deleted meanwhile has nothing left to deliver.
    return recipients.flatMap((r) => {
      const message = messages.get(r.queueId);
      return message ? [{ ...r, message }] : [];
    });
  }

  /**
   * Writes the outcomes of many attempts in one transaction: recipient states, attempt history,
   * recipients created by expansion; a message whose recipients are all final is removed and its
   * blob reference released. Outcomes that store the same values (the recipients of one SMTP
   * transaction) share one UPDATE.
   */
  async applyOutcomes(outcomes: readonly RecipientOutcome[], now: number): Promise<void> {
    if (!outcomes.length) return;
    await this.db.tx(async (tx) => {
      const applied = new Set<number>();
      const same = new Map<string, RecipientOutcome[]>();
      for (const o of outcomes) {
        const k = JSON.stringify([o.state, o.reply, o.nextAttempt ?? now]);
        const g = same.get(k);
        if (g) g.push(o);
        else same.set(k, [o]);
      }
      for (const group of same.values())
        for (const part of chunks(group, 500)) {
          const o = part[0]!;
          const ids = part.map((x) => x.rowId);
          // A row deleted or finished meanwhile (queue delete, a second process) is left alone.
          const rows = await tx.all<Raw>(
            `UPDATE queue_recipients SET state = ?, last_reply = ?, next_attempt = ?, attempts = attempts + 1, updated_at = ?
             WHERE id IN (${marks(ids)}) AND state NOT IN ('delivered', 'bounced') RETURNING id`,
            [o.state, o.reply, o.nextAttempt ?? now, now, ...ids],
          );
          for (const r of rows) applied.add(num(r.id));
        }
      const done = outcomes.filter((o) => applied.has(o.rowId));
      for (const part of chunks(
        done.filter((o) => o.notice),
        100,
      ))
        await tx.run(
          `INSERT INTO queue_notices (queue_id, recipient, orcpt, action, reply, time) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
          part.flatMap((o) => [o.queueId, o.recipient, o.orcpt ?? null, o.notice!, o.reply, now]),
        );
      for (const o of done)
        if (o.children?.length) await this.insertRecipients(tx, o.queueId, o.children, now);
      const removed = new Set<string>();
      for (const id of new Set(done.map((o) => o.queueId)))
        if (await this.removeIfFinished(tx, id)) removed.add(id);
      // A removed message's history would go with it: most messages finish at their first attempt.
      for (const part of chunks(
        done.filter((o) => !removed.has(o.queueId)),
        100,
      ))
        await tx.run(
          `INSERT INTO queue_attempts (queue_id, recipient, time, result, reply) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
          part.flatMap((o) => [o.queueId, o.recipient, now, o.result, o.reply]),
        );
    });
  }

  /** Removes a message once every recipient is final and no delivery status notice waits on it. */
  async removeIfFinished(tx: SqlDb, queueId: string): Promise<boolean> {
    const busy = await tx.get<Raw>(
      `SELECT EXISTS (SELECT 1 FROM queue_recipients WHERE queue_id = ? AND state NOT IN ('delivered', 'bounced'))
          OR EXISTS (SELECT 1 FROM queue_notices WHERE queue_id = ?) AS busy`,
      [queueId, queueId],
    );
    return busy?.busy ? false : this.deleteMessage(tx, queueId);
  }

  private async removeMessage(tx: SqlDb, queueId: string): Promise<boolean> {
    await tx.run('DELETE FROM queue_notices WHERE queue_id = ?', [queueId]);
    return this.deleteMessage(tx, queueId);
  }

  /** Recipients and attempts go with the message (ON DELETE CASCADE); notices are the caller's. */
  private async deleteMessage(tx: SqlDb, queueId: string): Promise<boolean> {
    const m = await tx.get<Raw>('DELETE FROM queue_messages WHERE id = ? RETURNING blob_hash, blob_volume', [
      queueId,
    ]);
    if (!m) return false;
    await releaseBlobRefs(tx, String(m.blob_hash), 1, String(m.blob_volume ?? ''));
    return true;
  }

  /** Messages with delivery status notices to send, oldest first. */
  async noticeQueueIds(limit: number): Promise<string[]> {
    const rows = await this.db.all<Raw>(
      'SELECT queue_id, MIN(id) AS first FROM queue_notices GROUP BY queue_id ORDER BY first LIMIT ?',
      [limit],
    );
    return rows.map((r) => String(r.queue_id));
  }

  async notices(tx: SqlDb, queueId: string): Promise<Notice[]> {
    const rows = await tx.all<Raw>(
      'SELECT id, recipient, orcpt, action, reply, time FROM queue_notices WHERE queue_id = ? ORDER BY id',
      [queueId],
    );
    return rows.map((r) => ({
      id: num(r.id),
      recipient: String(r.recipient),
      orcpt: str(r.orcpt),
      action: r.action as Notice['action'],
      reply: String(r.reply),
      time: num(r.time),
    }));
  }

  async deleteNotices(tx: SqlDb, ids: readonly number[]): Promise<void> {
    for (const id of ids) await tx.run('DELETE FROM queue_notices WHERE id = ?', [id]);
  }

  /**
   * Deferred recipients queued before `olderThan` whose sender has not been warned yet and who
   * did not refuse delay notices: each gets a `delayed` notice, once (RFC 3461 NOTIFY=DELAY).
   */
  async markDelayed(olderThan: number, now: number): Promise<number> {
    return this.db.tx(async (tx) => {
      const rows = await tx.all<Raw>(
        `SELECT r.id, r.queue_id, r.recipient, r.orcpt, r.last_reply FROM queue_recipients r JOIN queue_messages m ON m.id = r.queue_id
         WHERE r.state = 'deferred' AND r.warned_at IS NULL AND m.received_at <= ? AND m.sender <> ''
           AND (r.notify IS NULL OR UPPER(r.notify) LIKE '%DELAY%') LIMIT 500`,
        [olderThan],
      );
      for (const r of rows) {
        await tx.run('UPDATE queue_recipients SET warned_at = ? WHERE id = ?', [now, num(r.id)]);
        await tx.run(
          'INSERT INTO queue_notices (queue_id, recipient, orcpt, action, reply, time) VALUES (?, ?, ?, ?, ?, ?)',
          [
            String(r.queue_id),
            String(r.recipient),
            str(r.orcpt),
            'delayed',
            str(r.last_reply) ?? '451 4.4.7 delivery delayed',
            now,
          ],
        );
      }
      return rows.length;
    });
  }

  /**
   * Recipient rows with their messages, newest message first, starting after `after` (keyset
   * paging: the index on received_at is walked from the cursor, nothing before it is read) or
   * skipping `offset` rows.
   */
  async list(
    f: QueueFilter,
    now: number,
    page: { after?: QueueCursor; offset?: number } = {},
  ): Promise<DueRecipient[]> {
    const { sql, params } = listSql(f, now, page);
    const rows = await this.db.all<Raw>(sql, params);
    return rows.map((r) => ({ ...toRecipient(r), message: toMessage(r) }));
  }

  async message(
    queueId: string,
  ): Promise<{ message: MessageRow; recipients: RecipientRow[]; attempts: AttemptRow[] } | undefined> {
    const m = await this.db.get<Raw>(`SELECT ${MESSAGE_COLS} FROM queue_messages m WHERE m.id = ?`, [
      queueId,
    ]);
    if (!m) return undefined;
    const recipients = (
      await this.db.all<Raw>(
        `SELECT ${RECIPIENT_COLS} FROM queue_recipients r WHERE r.queue_id = ? ORDER BY r.id`,
        [queueId],
      )
    ).map(toRecipient);
    const attempts = (
      await this.db.all<Raw>(
        'SELECT recipient, time, result, reply FROM queue_attempts WHERE queue_id = ? ORDER BY id',
        [queueId],
      )
    ).map((a) => ({
      recipient: String(a.recipient),
      time: num(a.time),
      result: String(a.result),
      reply: String(a.reply),
    }));
    return { message: toMessage(m), recipients, attempts };
  }

  /** The ids of messages with at least one recipient matching the filter. */
  async matchingIds(f: QueueFilter, now: number): Promise<string[]> {
    const { where, params } = filterSql(f, now);
    const rows = await this.db.all<Raw>(
      `SELECT DISTINCT m.id AS id FROM queue_recipients r JOIN queue_messages m ON m.id = r.queue_id ${where}`,
      params,
    );
    return rows.map((r) => String(r.id));
  }

  /** Removes whole messages and their blob references; returns how many were removed. */
  async deleteMessages(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      n += await this.db.tx(async (tx) => {
        let c = 0;
        for (const id of chunk) if (await this.removeMessage(tx, id)) c++;
        return c;
      });
    }
    return n;
  }

  /** Moves the not-yet-final recipients of the matching messages from one of `from` to `to`. */
  async setState(
    f: QueueFilter,
    from: readonly RecipientState[],
    to: 'queued' | 'held',
    reply: string | null,
    now: number,
  ): Promise<number> {
    const { where, params } = filterSql({ ...f, state: undefined }, now);
    const ids = await this.db.all<Raw>(
      `SELECT r.id AS id FROM queue_recipients r JOIN queue_messages m ON m.id = r.queue_id ${where ? `${where} AND` : 'WHERE'} r.state IN (${from.map(() => '?').join(', ')})`,
      [...params, ...from],
    );
    let n = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500).map((r) => num(r.id));
      n += (
        await this.db.run(
          `UPDATE queue_recipients SET state = ?, next_attempt = ?, updated_at = ?${reply === null ? '' : ', last_reply = ?'} WHERE id IN (${chunk.map(() => '?').join(', ')}) AND state IN (${from.map(() => '?').join(', ')})`,
          [to, now, now, ...(reply === null ? [] : [reply]), ...chunk, ...from],
        )
      ).changes;
    }
    return n;
  }

  /** Recipient counts by kind and state. */
  async counts(): Promise<{ kind: RecipientKind; state: RecipientState; n: number }[]> {
    const rows = await this.db.all<Raw>(
      'SELECT kind, state, COUNT(*) AS n FROM queue_recipients GROUP BY kind, state',
    );
    return rows.map((r) => ({
      kind: r.kind as RecipientKind,
      state: r.state as RecipientState,
      n: num(r.n),
    }));
  }

  /** Open recipients with their domain and the time their message was queued, for qshape. */
  async openAges(state?: RecipientState): Promise<{ domain: string; receivedAt: number }[]> {
    const rows = await this.db.all<Raw>(
      `SELECT r.domain AS domain, m.received_at AS received_at FROM queue_recipients r JOIN queue_messages m ON m.id = r.queue_id
       WHERE r.state ${state ? '= ?' : "NOT IN ('delivered', 'bounced')"}`,
      state ? [state] : [],
    );
    return rows.map((r) => ({ domain: String(r.domain), receivedAt: num(r.received_at) }));
  }

  async holdAccount(account: string, reason: string, now: number): Promise<boolean> {
    const r = await this.db.run(
      'INSERT INTO queue_account_holds (account, reason, since) VALUES (?, ?, ?) ON CONFLICT (account) DO NOTHING',
      [account, reason, now],
    );
    return r.changes > 0;
  }

  async releaseAccount(account: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM queue_account_holds WHERE account = ?', [account])).changes > 0;
  }

  async heldAccounts(): Promise<{ account: string; reason: string; since: number }[]> {
    const rows = await this.db.all<Raw>(
      'SELECT account, reason, since FROM queue_account_holds ORDER BY since',
    );
    return rows.map((r) => ({ account: String(r.account), reason: String(r.reason), since: num(r.since) }));
  }
}
