import { NotFoundError, PermissionError } from '../core/errors.js';
import type { ChangeBus, MailboxChange } from './events.js';
import { splitFlags } from './flags.js';
import type { FolderService } from './folders.js';
import type { MessageService } from './messages.js';
import {
  SYSTEM_ACTOR,
  type Changes,
  type FlagUpdate,
  type FolderRef,
  type MailboxActor,
  type UidSet,
} from './types.js';

/**
 * One state of a folder's message list, never changed once made: uids ascending, system flag
 * bits, modseqs and keywords, parallel by index. Sessions that are up to date share one.
 */
export interface FolderSnapshot {
  readonly uids: Uint32Array;
  readonly flags: Uint8Array;
  readonly modseqs: Float64Array;
  readonly keywords: ReadonlyMap<number, string[]>;
  readonly uidnext: number;
  readonly highestModseq: number;
  /** The next snapshot and the change that leads to it; unset while this one is the latest. */
  next: SnapshotStep | undefined;
}

export interface SnapshotStep {
  readonly snapshot: FolderSnapshot;
  /** Messages whose flags changed and new messages, ascending uid, with their state after the step. */
  readonly changed: readonly FlagUpdate[];
  /** Expunged in the step (may name uids the older snapshot never had). */
  readonly vanished: UidSet;
}

/** A folder opened for a session: its shared view plus what is particular to the actor. */
export interface OpenedView {
  view: FolderView;
  snapshot: FolderSnapshot;
  name: string;
  rights: string;
  /** True without the rights to change flags or expunge (EXAMINE-like). */
  readOnly: boolean;
}

/**
 * The list of a folder's messages kept once for every session that has it selected. A change
 * to the folder marks the view stale and tells its listeners; the first session to need the new
 * state reads the change from the store once (`changesSince`) and makes the next snapshot, linked
 * from the one before, so each session walks from the snapshot it last reported to the latest and
 * computes its own untagged updates without touching the store. Snapshots no session holds any
 * more are garbage.
 */
export class FolderView {
  latest: FolderSnapshot;
  /** Every keyword seen in the folder since the view was made (FLAGS, PERMANENTFLAGS). */
  readonly knownKeywords: Set<string>;
  /** Bumped on folder-level changes (rename, delete, ACL): sessions check their rights again. */
  epoch = 0;
  users = 0;
  /**
   * IMAP4rev1 \Recent: uids from here up were reported as recent to no session. Claims are
   * decided here, in memory and synchronously, so two sessions of this process never both get
   * a message; the store keeps the mark for the next view (see saveRecent).
   */
  private firstRecent: number;
  private savedRecent: number;
  private recentWrite: Promise<void> = Promise.resolve();
  private stale = false;
  private refreshing: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly folderId: number,
    readonly uidvalidity: number,
    first: FolderSnapshot,
    knownKeywords: readonly string[],
    firstRecentUid: number,
    private readonly changesSince: (modseq: number) => Promise<Changes>,
    private readonly writeRecent: (uid: number) => Promise<void>,
  ) {
    this.latest = first;
    this.knownKeywords = new Set(knownKeywords);
    this.firstRecent = this.savedRecent = firstRecentUid;
  }

  /** The lowest uid no session has been told of as \Recent. */
  get firstRecentUid(): number {
    return this.firstRecent;
  }

  /**
   * A read-write IMAP4rev1 session learns of the messages below `upTo`: the uids among them no
   * session was told of are its \Recent ones (ascending range), or null when there are none.
   */
  claimRecent(upTo: number): [number, number] | null {
    if (upTo <= this.firstRecent) return null;
    const claimed: [number, number] = [this.firstRecent, upTo - 1];
    this.firstRecent = upTo;
    return claimed;
  }

  /** Writes the claims so far to the store; claims made while a write runs share the next one. */
  saveRecent(): Promise<void> {
    const next = this.recentWrite.then(async () => {
      const uid = this.firstRecent;
      if (uid <= this.savedRecent) return;
      await this.writeRecent(uid);
      this.savedRecent = uid;
    });
    // A failed write is reported to its caller; the next claim tries again.
    this.recentWrite = next.catch(() => undefined);
    return next;
  }

  /** Whether a change was published that `latest` does not hold yet. */
  get isStale(): boolean {
    return this.stale;
  }

  /** A change may have been missed: the next `current()` reads from the store. */
  markStale(): void {
    this.stale = true;
  }

  /** Called with every change to the folder, after it committed. */
  onChange(change: MailboxChange): void {
    this.stale = true;
    if (change.kind === 'folder') this.epoch++;
    for (const l of this.listeners) l();
  }

  /** `fn` runs on each change (synchronously, so it must only take note); returns the remover. */
  listen(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The newest snapshot, including every change published before the call. */
  async current(): Promise<FolderSnapshot> {
    // A refresh under way may have started before the caller's change was published: wait for
    // it, then refresh again if the view went stale meanwhile.
    while (this.stale || this.refreshing) {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = null));
      await this.refreshing;
    }
    return this.latest;
  }

  private async refresh(): Promise<void> {
    this.stale = false;
    const prev = this.latest;
    let ch: Changes;
    try {
      ch = await this.changesSince(prev.highestModseq);
    } catch (e) {
      this.stale = true;
      throw e;
    }
    if (!ch.changed.length && !ch.vanished.length) return;
    const snapshot = nextSnapshot(prev, ch);
    for (const c of ch.changed) for (const k of splitFlags(c.flags).keywords) this.knownKeywords.add(k);
    prev.next = { snapshot, changed: ch.changed, vanished: ch.vanished };
    this.latest = snapshot;
  }
}

/** The snapshot after `ch`: vanished uids dropped, changed ones updated, new ones appended. */
export function nextSnapshot(prev: FolderSnapshot, ch: Changes): FolderSnapshot {
  const n = prev.uids.length;
  const maxUid = n ? prev.uids[n - 1]! : 0;
  const gone = ch.vanished;
  let added = 0;
  for (const c of ch.changed) if (c.uid > maxUid) added++;
  const uids = new Uint32Array(n + added);
  const flags = new Uint8Array(n + added);
  const modseqs = new Float64Array(n + added);
  let keywords = prev.keywords as Map<number, string[]>;
  const ownKeywords = () => {
    if (keywords === prev.keywords) keywords = new Map(prev.keywords);
    return keywords;
  };
  let g = 0;
  let c = 0;
  let j = 0;
  let highest = Math.max(prev.highestModseq, ch.highestModseq);
  let uidnext = prev.uidnext;
  for (let i = 0; i < n; i++) {
    const uid = prev.uids[i]!;
    while (g < gone.length && gone[g]![1] < uid) g++;
    if (g < gone.length && gone[g]![0] <= uid) {
      if (keywords.has(uid)) ownKeywords().delete(uid);
      continue;
    }
    while (c < ch.changed.length && ch.changed[c]!.uid < uid) c++;
    const u = ch.changed[c];
    uids[j] = uid;
    if (u && u.uid === uid) {
      const split = splitFlags(u.flags);
      flags[j] = split.bits;
      modseqs[j] = u.modseq;
      if (split.keywords.length) ownKeywords().set(uid, split.keywords);
      else if (keywords.has(uid)) ownKeywords().delete(uid);
    } else {
      flags[j] = prev.flags[i]!;
      modseqs[j] = prev.modseqs[i]!;
    }
    j++;
  }
  for (const u of ch.changed) {
    if (u.uid <= maxUid) continue;
    const split = splitFlags(u.flags);
    uids[j] = u.uid;
    flags[j] = split.bits;
    modseqs[j] = u.modseq;
    if (split.keywords.length) ownKeywords().set(u.uid, split.keywords);
    j++;
  }
  for (const u of ch.changed) highest = Math.max(highest, u.modseq);
  if (j) uidnext = Math.max(uidnext, uids[j - 1]! + 1);
  if (gone.length) uidnext = Math.max(uidnext, gone[gone.length - 1]![1] + 1);
  return {
    uids: j === uids.length ? uids : uids.slice(0, j),
    flags: j === flags.length ? flags : flags.slice(0, j),
    modseqs: j === modseqs.length ? modseqs : modseqs.slice(0, j),
    keywords,
    uidnext,
    highestModseq: highest,
    next: undefined,
  };
}

/** How long a view no session uses is kept (and kept current), so a quick re-SELECT reads only changes. */
const LINGER_MS = 30_000;

/** The views of the folders sessions have selected, one per folder, shared by all of them. */
export class FolderViews {
  private readonly views = new Map<number, FolderView>();
  private readonly unsubscribe = new Map<number, () => void>();
  private readonly lingering = new Map<number, NodeJS.Timeout>();
  private readonly making = new Map<number, Promise<FolderView>>();

  constructor(
    private readonly bus: ChangeBus,
    private readonly folders: FolderService,
    private readonly messages: MessageService,
  ) {}

  /**
   * SELECT / EXAMINE: checks the actor's rights (as FolderService.select does) and returns the
   * folder's shared view, made from one read of the store if no session has it yet. The caller
   * must `release` the view when it deselects.
   */
  async open(actor: MailboxActor, ref: FolderRef): Promise<OpenedView> {
    const f = await this.folders.resolve(actor, ref, 'r');
    const readOnly = !['s', 'w', 't', 'e'].some((r) => f.rights.includes(r));
    const view = await this.viewOf(f.row.id);
    this.acquire(view);
    try {
      return { view, snapshot: await view.current(), name: f.name, rights: f.rights, readOnly };
    } catch (e) {
      this.release(view);
      throw e;
    }
  }

  private viewOf(folderId: number): FolderView | Promise<FolderView> {
    const v = this.views.get(folderId);
    if (v) return v;
    let making = this.making.get(folderId);
    if (!making) {
      making = this.make(folderId).finally(() => this.making.delete(folderId));
      this.making.set(folderId, making);
    }
    return making;
  }

  private async make(folderId: number): Promise<FolderView> {
    const made: { view?: FolderView } = {};
    let missed = false;
    // Listening before the read: a change committed while it runs must not be lost.
    const unsubscribe = this.bus.subscribe(folderId, (c) =>
      made.view ? made.view.onChange(c) : (missed = true),
    );
    let snap;
    try {
      snap = await this.folders.select(SYSTEM_ACTOR, { id: folderId });
    } catch (e) {
      unsubscribe();
      throw e;
    }
    const view = new FolderView(
      folderId,
      snap.uidvalidity,
      {
        uids: snap.uids,
        flags: snap.flags,
        modseqs: snap.modseqs,
        keywords: snap.keywords,
        uidnext: snap.uidnext,
        highestModseq: snap.highestModseq,
        next: undefined,
      },
      snap.knownKeywords,
      snap.firstRecentUid,
      (modseq) => this.messages.changesSince(SYSTEM_ACTOR, { id: folderId }, modseq),
      (uid) => this.folders.reportedRecent(folderId, uid),
    );
    made.view = view;
    if (missed) view.markStale();
    this.views.set(folderId, view);
    this.unsubscribe.set(folderId, unsubscribe);
    return view;
  }

  private acquire(view: FolderView): void {
    view.users++;
    const t = this.lingering.get(view.folderId);
    if (t) {
      clearTimeout(t);
      this.lingering.delete(view.folderId);
    }
  }

  /** A session no longer uses the view; it lingers a while, then is dropped. */
  release(view: FolderView): void {
    if (--view.users > 0 || this.views.get(view.folderId) !== view) return;
    const t = setTimeout(() => this.drop(view), LINGER_MS);
    t.unref();
    this.lingering.set(view.folderId, t);
  }

  private drop(view: FolderView): void {
    this.lingering.delete(view.folderId);
    if (view.users > 0) return;
    this.views.delete(view.folderId);
    this.unsubscribe.get(view.folderId)?.();
    this.unsubscribe.delete(view.folderId);
  }

  /** Rights of the actor, checked again after a folder-level change; NotFoundError when gone. */
  async recheck(actor: MailboxActor, view: FolderView): Promise<string> {
    try {
      return (await this.folders.resolve(actor, { id: view.folderId }, 'r')).rights;
    } catch (e) {
      // Seeing the folder but no longer reading it ends the selection as its removal does.
      if (e instanceof PermissionError) throw new NotFoundError(`folder #${view.folderId}`);
      throw e;
    }
  }

  /** Views in memory (for tests and metrics). */
  get size(): number {
    return this.views.size;
  }
}
