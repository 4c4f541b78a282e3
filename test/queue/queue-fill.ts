import { newId } from '../../src/core/ids.js';
import type { NewMessage, NewRecipient, QueueRepo } from '../../src/store/queue/queue-repo.js';
import type { SqlDb } from '../../src/store/sql.js';

/** A message as the queue stores it, received at `at` over SMTP; `fields` replaces the defaults. */
export function queuedMessage(
  id: string,
  at: number,
  recipients: NewRecipient[],
  fields: Partial<NewMessage> = {},
): NewMessage {
  return {
    id,
    sender: 'a@example.org',
    blob: { hash: 'ab'.repeat(32), size: 100 },
    trace: '',
    messageId: null,
    subject: null,
    clientIp: null,
    clientName: null,
    helo: null,
    authUser: null,
    source: 'smtp',
    dsnRet: null,
    dsnEnvid: null,
    receivedAt: at,
    recipients,
    ...fields,
  };
}

/**
 * Fills the queue tables with `messages` messages straight through the repository (no blobs
 * behind them: listing never reads bodies). Every `sameTimeEvery` messages share one arrival
 * millisecond, so paging has ties to get right; every third message has two recipients.
 */
export async function fillQueue(
  db: SqlDb,
  repo: QueueRepo,
  messages: number,
  opts: { start?: number; sameTimeEvery?: number } = {},
): Promise<number> {
  const start = opts.start ?? Date.now() - messages * 1000;
  const tie = opts.sameTimeEvery ?? 7;
  let recipients = 0;
  for (let done = 0; done < messages;) {
    const batch: NewMessage[] = [];
    for (let i = 0; i < 2000 && done < messages; i++, done++) {
      const at = start + Math.floor(done / tie) * tie * 1000;
      const rcpts = [
        { address: `r${done}@dest${done % 50}.test`, domain: `dest${done % 50}.test` },
        ...(done % 3 === 0 ? [{ address: `cc${done}@other.test`, domain: 'other.test' }] : []),
      ];
      recipients += rcpts.length;
      batch.push(
        queuedMessage(
          newId(at),
          at,
          rcpts.map((r) => ({
            ...r,
            kind: 'remote',
            state: done % 4 === 0 ? 'deferred' : 'queued',
            nextAttempt: at,
          })),
          {
            sender: `s${done % 100}@example.org`,
            blob: { hash: (done % 16).toString(16).repeat(64), size: 1000 + done },
            messageId: `<m${done}@example.org>`,
            subject: `message ${done}`,
          },
        ),
      );
    }
    await db.tx((tx) => repo.insertMessages(tx, batch));
  }
  return recipients;
}
