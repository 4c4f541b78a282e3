import type { MessageMeta } from '../../mailbox/types.js';
import type { FetchCommand } from '../proto/parser/fetch.js';
import { fetch } from '../proto/protocol/fetch.js';
import { vanished } from '../proto/protocol/mailbox.js';
import { normalizeRanges, rangesContain, resolveSequenceSet } from '../proto/sequence.js';
import { cachedValue, fetchValues, planFetch, type FetchPlan } from '../fetch-values.js';
import { FLUSH_BYTES, type ImapSession } from '../session.js';
import { SELECTED, type CommandHandler } from './handler.js';

/** Messages per store read: many when only cached data is needed, few when bodies are read. */
function batchSize(plan: FetchPlan): number {
  return plan.content === 'all'
    ? 16
    : plan.content === 'header'
      ? 200
      : plan.structure || plan.envelope
        ? 1000
        : 5000;
}

/** FETCH and UID FETCH, streamed in batches with backpressure; CONDSTORE CHANGEDSINCE, QRESYNC VANISHED. */
export const fetchCommand: CommandHandler<FetchCommand> = {
  states: SELECTED,
  sync: 'no-expunge',
  async run(s, cmd) {
    const sel = s.selected!;
    let indexes = sel.indexes(cmd.sequence, cmd.uid);
    if (cmd.vanished && !s.enabled.has('QRESYNC')) {
      await s.bad(cmd.tag, 'VANISHED needs QRESYNC enabled');
      return null;
    }
    if (cmd.changedSince !== undefined || cmd.attributes.some((a) => a.item === 'MODSEQ'))
      s.enabled.add('CONDSTORE');
    if (cmd.changedSince !== undefined) {
      const since = cmd.changedSince;
      indexes = indexes.filter((i) => sel.modseqs[i]! > since);
      if (cmd.vanished) await writeVanished(s, cmd, since);
    }
    const attrs = cmd.attributes;
    const plan = planFetch(attrs);
    const size = batchSize(plan);
    if (!plan.meta) {
      // Only what the view holds: no store read, no awaiting per message.
      for (const i of indexes) {
        fetch(
          s.w,
          i + 1,
          attrs.map((a) => cachedValue(s, i, a)!),
        );
        if (s.w.length >= FLUSH_BYTES) await s.flush();
      }
      return { text: 'FETCH completed' };
    }
    for (let at = 0; at < indexes.length; at += size) {
      const batch = indexes.slice(at, at + size);
      const flagsChanged = plan.setsSeen && !sel.readOnly ? await markSeen(s, batch) : new Set<number>();
      const metas = plan.meta ? await readMetas(s, batch, plan) : undefined;
      for (const i of batch) {
        const meta = metas?.get(sel.uids[i]!);
        // Expunged elsewhere and not reported yet: its flags are still known, its content is gone.
        if (plan.meta && !meta) continue;
        const values = await fetchValues(s, i, attrs, plan, meta);
        if (flagsChanged.has(i) && !attrs.some((a) => a.item === 'FLAGS'))
          values.push({ item: 'FLAGS', flags: sel.flagsAt(i) });
        fetch(s.w, i + 1, values);
        await s.maybeFlush();
      }
    }
    return { text: 'FETCH completed' };
  },
};

async function readMetas(
  s: ImapSession,
  batch: number[],
  plan: FetchPlan,
): Promise<Map<number, MessageMeta>> {
  const sel = s.selected!;
  const rows = await s.app.mailbox.messages.fetch(s.actor!, { id: sel.folderId }, sel.uidSet(batch), {
    structure: plan.structure,
    envelope: plan.envelope,
  });
  return new Map(rows.map((m) => [m.uid, m]));
}

/** Sets \Seen on the messages of a batch that lack it; returns the indexes whose flags changed. */
async function markSeen(s: ImapSession, batch: number[]): Promise<Set<number>> {
  const sel = s.selected!;
  const unseen = batch.filter((i) => (sel.flags[i]! & 1) === 0 && !sel.gone.has(sel.uids[i]!));
  if (!unseen.length || !sel.rights.includes('s')) return new Set();
  const r = await s.app.mailbox.messages.storeFlags(s.actor!, { id: sel.folderId }, sel.uidSet(unseen), {
    op: 'add',
    flags: ['\\Seen'],
  });
  return new Set(sel.applyFlags(r.updated));
}

async function writeVanished(s: ImapSession, cmd: FetchCommand, since: number): Promise<void> {
  const sel = s.selected!;
  const asked = resolveSequenceSet(cmd.sequence, sel.maxUid);
  const ch = await s.app.mailbox.messages.changesSince(s.actor!, { id: sel.folderId }, since);
  const gone: Array<[number, number]> = [];
  for (const [a, b] of ch.vanished)
    for (let u = a; u <= b; u++) if (rangesContain(asked, u)) gone.push([u, u]);
  vanished(s.w, normalizeRanges(gone), true);
}
