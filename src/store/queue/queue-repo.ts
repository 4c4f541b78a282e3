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
    for (const r of rcpts) {
      // A recipient already on the message (two aliases naming one member, a forwarding loop) is
      // delivered once: the unique key drops the repeat.
      await tx.run(
        `INSERT INTO queue_recipients (queue_id, recipient, domain, kind, account_id, orcpt, notify, state, next_attempt, last_reply, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (queue_id, recipient) DO NOTHING`,
        [
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
        ],
      );
    }
  }

  /** Recipients in `state` whose time has come, earliest first, skipping the ids in `exclude`. */
  async due(
    state: 'queued' | 'deferred',
    now: number,
    limit: number,
    exclude: ReadonlySet<number>,
  ): Promise<DueRecipient[]> {
    // Ids first (the index answers it alone): the rows in progress are skipped before any message
    // columns are read, so a manager with many deliveries in flight reads only what it will start.
    const ids = (
      await this.db.all<{ id: number }>(
        `SELECT r.id FROM queue_recipients r WHERE r.state = ? AND r.next_attempt <= ?
         ORDER BY r.next_attempt, r.id LIMIT ?`,
        [state, now, limit + exclude.size],
      )
    )
      .map((r) => Number(r.id))
      .filter((id) => !exclude.has(id))
      .slice(0, limit);
    if (!ids.length) return [];
    const rows = await this.db.all<Raw>(
      `SELECT ${RECIPIENT_COLS}, ${MESSAGE_COLS} FROM queue_recipients r JOIN queue_messages m ON m.id = r.queue_id
       WHERE r.id IN (${ids.map(() => '?').join(', ')}) ORDER BY r.next_attempt, r.id`,
      ids,
    );
    return rows.map((r) => ({ ...toRecipient(r), message: toMessage(r) }));
  }

  /**
   * Writes the outcomes of many attempts in one transaction: recipient states, attempt history,
   * recipients created by expansion; a message whose recipients are all final is removed and its
   * blob reference released.
   */
  async applyOutcomes(outcomes: readonly RecipientOutcome[], now: number): Promise<void> {
    if (!outcomes.length) return;
    await this.db.tx(async (tx) => {
      const touched = new Set<string>();
      for (const o of outcomes) {
        const r = await tx.run(
          `UPDATE queue_recipients SET state = ?, last_reply = ?, next_attempt = ?, attempts = attempts + 1, updated_at = ?
           WHERE id = ? AND state NOT IN ('delivered', 'bounced')`,
          [o.state, o.reply, o.nextAttempt ?? now, now, o.rowId],
        );
        if (r.changes === 0) continue; // deleted or finished meanwhile (queue delete, a second process)
        await tx.run(
          'INSERT INTO queue_attempts (queue_id, recipient, time, result, reply) VALUES (?, ?, ?, ?, ?)',
          [o.queueId, o.recipient, now, o.result, o.reply],
        );
        if (o.notice)
          await tx.run(
            'INSERT INTO queue_notices (queue_id, recipient, orcpt, action, reply, time) VALUES (?, ?, ?, ?, ?, ?)',
            [o.queueId, o.recipient, o.orcpt ?? null, o.notice, o.reply, now],
          );
        if (o.children?.length) await this.insertRecipients(tx, o.queueId, o.children, now);
        touched.add(o.queueId);
      }
      for (const id of touched) await this.removeIfFinished(tx, id);
    });
  }

  /** Removes a message once every recipient is final and no delivery status notice waits on it. */
  async removeIfFinished(tx: SqlDb, queueId: string): Promise<boolean> {
    const open = await tx.get<Raw>(
      `SELECT 1 AS x FROM queue_recipients WHERE queue_id = ? AND state NOT IN ('delivered', 'bounced') LIMIT 1`,
      [queueId],
    );
    if (open) return false;
    if (await tx.get<Raw>('SELECT 1 AS x FROM queue_notices WHERE queue_id = ? LIMIT 1', [queueId]))
      return false;
    return this.removeMessage(tx, queueId);
  }

  private async removeMessage(tx: SqlDb, queueId: string): Promise<boolean> {
    const m = await tx.get<Raw>('SELECT blob_hash, blob_volume FROM queue_messages WHERE id = ?', [queueId]);
    if (!m) return false;
    await tx.run('DELETE FROM queue_notices WHERE queue_id = ?', [queueId]);
    await tx.run('DELETE FROM queue_attempts WHERE queue_id = ?', [queueId]);
    await tx.run('DELETE FROM queue_recipients WHERE queue_id = ?', [queueId]);
    await tx.run('DELETE FROM queue_messages WHERE id = ?', [queueId]);
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
