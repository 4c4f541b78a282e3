import type { MessageMeta } from '../../mailbox/types.js';
import { toUidSet } from '../../mailbox/uid-set.js';
import type { FetchAttribute, FetchCommand } from '../proto/parser/fetch.js';
import { encodeEnvelope, fetch } from '../proto/protocol/fetch.js';
import type { Envelope } from '../proto/structure.js';
import { vanished } from '../proto/protocol/mailbox.js';
import { normalizeRanges, rangesContain, resolveSequenceSet } from '../proto/sequence.js';
import { fetchLarge, streamsLarge } from '../fetch-stream.js';
import { fetchValues, planFetch, writeCachedFetch, type FetchPlan } from '../fetch-values.js';
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
        writeCachedFetch(s, i, attrs);
        if (s.w.length >= FLUSH_BYTES) await s.flush();
      }
      return { text: 'FETCH completed' };
    }
    if (envelopeOnly(attrs)) {
      for (let at = 0; at < indexes.length; at += size)
        await writeEnvelopes(s, indexes.slice(at, at + size), attrs);
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
        if (meta && streamsLarge(attrs, meta)) {
          await fetchLarge(s, i, attrs, meta, flagsChanged.has(i));
          continue;
        }
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

const VIEW_ITEMS = new Set(['UID', 'FLAGS', 'MODSEQ']);

/** ENVELOPE with nothing else but what the view holds: the envelope cache's fast path. */
function envelopeOnly(attrs: readonly FetchAttribute[]): boolean {
  return (
    attrs.some((a) => a.item === 'ENVELOPE') &&
    attrs.every((a) => a.item === 'ENVELOPE' || VIEW_ITEMS.has(a.item))
  );
}

/**
 * FETCH (ENVELOPE ...) of a batch: the body id of each message from the store, the encoded
 * envelope from the shared cache, and only the misses read as stored encoded at delivery.
 */
async function writeEnvelopes(
  s: ImapSession,
  batch: number[],
  attrs: readonly FetchAttribute[],
): Promise<void> {
  const sel = s.selected!;
  const cache = s.opts.envelopes;
  const ref = { id: sel.folderId };
  const rows = await s.app.mailbox.messages.bodyIds(s.actor!, ref, sel.uidSet(batch));
  const bodyOf = new Map(rows.map((r) => [r.uid, r.bodyId]));
  const encoded = new Map<number, string>();
  const keep = (bodyId: number, e: string) => {
    encoded.set(bodyId, e);
    cache.set(bodyId, e);
  };
  const misses: number[] = [];
  for (const r of rows) {
    const e = cache.get(r.bodyId);
    if (e === undefined) misses.push(r.uid);
    else encoded.set(r.bodyId, e);
  }
  const unencoded: number[] = [];
  if (misses.length)
    for (const r of await s.app.mailbox.messages.envelopeWires(s.actor!, ref, toUidSet(misses))) {
      if (!r.wire) unencoded.push(r.uid);
      else keep(r.bodyId, r.wire.toString('latin1'));
    }
  // Bodies stored before envelopes were kept encoded (until `mailbox reconstruct`): from the JSON.
  if (unencoded.length)
    for (const m of await s.app.mailbox.messages.fetch(s.actor!, ref, toUidSet(unencoded), {
      envelope: true,
    }))
      if (m.envelope) keep(bodyOf.get(m.uid)!, encodeEnvelope(m.envelope as Envelope).toString('latin1'));
  for (const i of batch) {
    const bodyId = bodyOf.get(sel.uids[i]!);
    // Expunged elsewhere and not reported yet: its content is gone.
    if (bodyId === undefined) continue;
    const envelope = encoded.get(bodyId);
    writeCachedFetch(s, i, attrs, envelope);
    await s.maybeFlush();
  }
}

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
