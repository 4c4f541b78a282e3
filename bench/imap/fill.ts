import type { App } from '../../src/app.js';

/**
 * Fills an account's INBOX with `count` messages through the mailbox service: APPENDs of 200
 * messages each (MULTIAPPEND's one transaction for all, so one commit per batch rather than per
 * message), four batches at once so their blob writes overlap. Uids follow the order batches
 * commit in. A fill that was stopped goes on from the number of messages already there: each
 * batch is stored whole or not at all, so at most the batches under way when it stopped are
 * missing from the numbering (message texts are numbered, not counted).
 */
export async function fillInbox(
  app: App,
  accountId: number,
  count: number,
  text: (i: number) => string,
  log: (line: string) => void,
): Promise<void> {
  const actor = await app.mailbox.actorFor(accountId);
  await app.mailbox.folders.ensureDefaults(accountId);
  const BATCH = 200;
  const t = performance.now();
  const already = (await app.mailbox.folders.status(actor, 'INBOX')).messages;
  if (already) log(`  ${already} messages already there, going on from ${already + 1}`);
  let next = already + 1;
  let stored = already;
  const worker = async () => {
    while (next <= count) {
      const from = next;
      next = Math.min(count + 1, from + BATCH);
      const reqs = [];
      for (let i = from; i < next; i++) reqs.push({ data: Buffer.from(text(i)) });
      await app.mailbox.messages.appendMany(actor, 'INBOX', reqs);
      stored += reqs.length;
      if (stored % 10_000 < BATCH) log(`  ${stored} stored`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const secs = (performance.now() - t) / 1000;
  const added = count - already;
  log(
    `filled ${added} messages through the mailbox service in ${secs.toFixed(1)} s (${(added / secs).toFixed(0)} msg/s)`,
  );
}
