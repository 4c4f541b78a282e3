import { newId } from '../../src/core/ids.js';
import type { NewMessage, QueueRepo } from '../../src/store/queue/queue-repo.js';
import type { SqlDb } from '../../src/store/sql.js';

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
      batch.push({
        id: newId(at),
        sender: `s${done % 100}@example.org`,
        blob: { hash: (done % 16).toString(16).repeat(64), size: 1000 + done },
        trace: '',
        messageId: `<m${done}@example.org>`,
        subject: `message ${done}`,
        clientIp: null,
        clientName: null,
        helo: null,
        authUser: null,
        source: 'smtp',
        dsnRet: null,
        dsnEnvid: null,
        receivedAt: at,
        recipients: rcpts.map((r) => ({
          ...r,
          kind: 'remote',
          state: done % 4 === 0 ? 'deferred' : 'queued',
          nextAttempt: at,
        })),
      });
    }
    await db.tx((tx) => repo.insertMessages(tx, batch));
  }
  return recipients;
}
