/**
 * The main thread's CPU per message delivered into a SQLite store through MailboxService.deliver
 * (parse, transaction, commit, full-text index), without SMTP or the queue around it, and how
 * long the first SEARCH BODY after the last delivery takes (it waits for the index to hold
 * everything delivered). Not a test:
 *   `npm run build && node dist/bench/mailbox/delivery-cpu.js [COUNT] [SIZE] [AT_ONCE]`
 * (default 2000 messages of 102400 bytes, 20 deliveries at once).
 */
import { openApp } from '../../src/app.js';
import type { BlobRef } from '../../src/store/blobs/blob-store.js';
import { freePort, prepareDataDir } from '../../test/queue/server-process.js';
import { tempDir } from '../../test/support/tmp.js';
import { processCpu, threadCpu } from '../proc-cpu.js';

const COUNT = Number(process.argv[2] ?? 2000);
const SIZE = Number(process.argv[3] ?? 102_400);
const AT_ONCE = Number(process.argv[4] ?? 20);

/** CPU ms so far. */
const mainThread = () => threadCpu(process.pid, process.pid) * 1000;
const wholeProcess = () => processCpu(process.pid) * 1000;

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** A text message of about SIZE bytes with a word found in no other message. */
function messageText(i: number): string {
  let body = '';
  for (let k = 0; body.length < SIZE; k++)
    body += `${WORDS[(i * 7 + k) % 10]} ${WORDS[(k * 3) % 10]}${k % 997} line ${i}-${k} of a message\r\n`;
  return `From: s${i}@example.org\r\nTo: u1@example.test\r\nSubject: bench ${i}\r\nMessage-ID: <b${i}@example.org>\r\n\r\n${body}unique${i}token\r\n`;
}

const { dir, cleanup } = tempDir();
await prepareDataDir(dir, await freePort());
const app = await openApp(dir);
try {
  const { id } = await app.directory.addAccount({ address: 'u1@example.test', password: 'pw-u1-123456' });
  const blobs: BlobRef[] = [];
  for (let i = 0; i < COUNT; i++) blobs.push(await app.store.blobs.put(Buffer.from(messageText(i))));
  const [m0, p0, t0] = [mainThread(), wholeProcess(), performance.now()];
  let next = 0;
  await Promise.all(
    Array.from({ length: AT_ONCE }, async () => {
      while (next < COUNT) {
        const i = next++;
        await app.mailbox.deliver({
          accountId: id,
          blob: blobs[i]!,
          prefix: Buffer.from('Delivered-To: u1@example.test\r\n'),
          dedupeKey: `k${i}`,
        });
      }
    }),
  );
  const [m1, p1, t1] = [mainThread(), wholeProcess(), performance.now()];
  const actor = await app.mailbox.actorFor(id);
  const search = (i: number) =>
    app.mailbox.messages.search(actor, 'INBOX', { type: 'text', part: 'body', value: `unique${i}token` });
  const s0 = performance.now();
  const found = (await search(COUNT - 1)).uids.length;
  const firstSearch = performance.now() - s0;
  const s1 = performance.now();
  for (let i = 0; i < 20; i++) await search(i);
  const eachSearch = (performance.now() - s1) / 20;
  const perMsg = (ms: number) => (ms / COUNT).toFixed(2);
  console.log(
    `${SIZE} B x ${COUNT}, ${AT_ONCE} at once: ${((COUNT / (t1 - t0)) * 1000).toFixed(0)} msg/s, ` +
      `main thread ${perMsg(m1 - m0)} ms CPU/msg, process ${perMsg(p1 - p0)} ms CPU/msg; ` +
      `first SEARCH BODY after the last delivery ${firstSearch.toFixed(0)} ms (found ${found}), ` +
      `then ${eachSearch.toFixed(1)} ms each`,
  );
} finally {
  await app.close();
  cleanup();
}
