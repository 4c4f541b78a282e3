import { flagNames, splitFlags } from '../mailbox/flags.js';
import type { FolderSnapshot, FolderView, OpenedView } from '../mailbox/folder-views.js';
import type { FlagUpdate, UidSet } from '../mailbox/types.js';
import { ImapParseError } from './proto/errors.js';
import { normalizeRanges, resolveSequenceSet, type SequenceSet } from './proto/sequence.js';

/** \Recent as a flag bit of the session's own, above the stored system flags (see flags.ts). */
export const RECENT_BIT = 32;

/** The system flag names of every combination of flag bits, so FETCH FLAGS allocates nothing. */
export const SYSTEM_FLAG_SETS = Array.from({ length: 64 }, (_, bits) =>
  bits & RECENT_BIT ? [...flagNames(bits & 31), '\\Recent'] : flagNames(bits),
);

/**
 * The session's view of the selected folder: message i (0-based) has sequence number i + 1. The
 * view changes only when the session reports a change to the client, so sequence numbers stay
 * what the client was told. While the session is up to date its arrays are the folder's shared
 * snapshot (one copy for every session, see FolderViews); it copies them only when it must
 * differ, for its own changes or for expunges it may not report yet, until it catches up again.
 */
export class SelectedMailbox {
  readonly folderId: number;
  name: string;
  readonly uidvalidity: number;
  readonly readOnly: boolean;
  rights: string;
  readonly view: FolderView;
  /** The newest shared snapshot taken in: the next catch-up walks from here. */
  base: FolderSnapshot;
  /** The view's epoch when the rights were last checked. */
  epoch: number;
  uidnext: number;
  /** Highest modseq the client has been brought up to. */
  highestModseq: number;
  uids: Uint32Array;
  flags: Uint8Array;
  modseqs: Float64Array;
  keywords: ReadonlyMap<number, string[]>;
  /** Another session or delivery changed the folder since the last sync. */
  dirty = false;
  /** Expunged elsewhere but still numbered here, until a command may report EXPUNGE. */
  readonly gone = new Set<number>();
  /** SEARCHRES (RFC 5182): the UIDs saved by SEARCH RETURN (SAVE). */
  saved: number[] = [];
  /** IMAP4rev1 \Recent: the uids this session reports as recent, ascending disjoint ranges. */
  readonly recent: Array<[number, number]> = [];
  /** Uids below this have been considered for \Recent. */
  private recentChecked = 1;
  /** True while the arrays are `base`'s, which must not be written. */
  private shared = true;

  constructor(opened: OpenedView, examine: boolean) {
    const snap = opened.snapshot;
    this.view = opened.view;
    this.folderId = opened.view.folderId;
    this.name = opened.name;
    this.uidvalidity = opened.view.uidvalidity;
    this.readOnly = examine || opened.readOnly;
    this.rights = opened.rights;
    this.epoch = opened.view.epoch;
    this.base = snap;
    this.uidnext = snap.uidnext;
    this.highestModseq = snap.highestModseq;
    this.uids = snap.uids;
    this.flags = snap.flags;
    this.modseqs = snap.modseqs;
    this.keywords = snap.keywords;
  }

  /** Every keyword known in the folder (FLAGS, PERMANENTFLAGS). */
  get knownKeywords(): ReadonlySet<string> {
    return this.view.knownKeywords;
  }

  /** Whether the arrays are the shared snapshot's (for tests of the memory sharing). */
  get isShared(): boolean {
    return this.shared;
  }

  /** Takes `snap` as the view: the session has told its client everything up to it. */
  adopt(snap: FolderSnapshot): void {
    this.base = snap;
    this.uids = snap.uids;
    this.flags = snap.flags;
    this.modseqs = snap.modseqs;
    this.keywords = snap.keywords;
    this.uidnext = Math.max(this.uidnext, snap.uidnext);
    this.highestModseq = Math.max(this.highestModseq, snap.highestModseq);
    this.gone.clear();
    this.shared = true;
  }

  /**
   * Takes `snap`, which lacks the messages `uids` (present in the view): returns their sequence
   * numbers in the view before, highest first, as EXPUNGE responses are sent. Unlike `remove`,
   * the list is not copied to take them out, since `snap` replaces it: with thousands of IDLE
   * sessions on a large folder, each copying it for one expunge cost seconds of CPU.
   */
  adoptWithout(snap: FolderSnapshot, uids: readonly number[]): number[] {
    const seqs = uids.map((u) => this.indexOf(u) + 1).filter((n) => n > 0);
    const removed = new Set(uids);
    this.saved = this.saved.filter((u) => !removed.has(u));
    this.adopt(snap);
    return seqs.sort((a, b) => b - a);
  }

  /** Makes the arrays the session's own before it changes them. */
  private own(): Map<number, string[]> {
    if (this.shared) {
      this.uids = this.uids.slice();
      this.flags = this.flags.slice();
      this.modseqs = this.modseqs.slice();
      this.keywords = new Map(this.keywords);
      this.shared = false;
    }
    return this.keywords as Map<number, string[]>;
  }

  get count(): number {
    return this.uids.length;
  }

  get maxUid(): number {
    return this.uids.length ? this.uids[this.uids.length - 1]! : 0;
  }

  indexOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const u = this.uids[mid]!;
      if (u < uid) lo = mid + 1;
      else if (u > uid) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /**
   * Takes the messages up to the newest in the view into account for \Recent: a read-write
   * session claims those no session was told of, a read-only one shows them without claiming
   * (RFC 3501 2.3.2). Returns whether a claim was made, which the caller must save.
   */
  noteRecent(): boolean {
    const upTo = this.maxUid + 1;
    if (upTo <= this.recentChecked) return false;
    let range: [number, number] | null;
    if (this.readOnly) {
      const from = Math.max(this.view.firstRecentUid, this.recentChecked);
      range = from < upTo ? [from, upTo - 1] : null;
    } else range = this.view.claimRecent(upTo);
    this.recentChecked = upTo;
    if (!range) return false;
    const last = this.recent[this.recent.length - 1];
    if (last && last[1] + 1 === range[0]) last[1] = range[1];
    else this.recent.push(range);
    return !this.readOnly;
  }

  isRecent(uid: number): boolean {
    const r = this.recent;
    if (!r.length || uid < r[0]![0]) return false;
    let lo = 0;
    let hi = r.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid]![1] < uid) lo = mid + 1;
      else if (r[mid]![0] > uid) hi = mid - 1;
      else return true;
    }
    return false;
  }

  /** How many messages in the view are \Recent (`* n RECENT`). */
  get recentCount(): number {
    let n = 0;
    for (const [from, to] of this.recent) n += this.lowerBound(to + 1) - this.lowerBound(from);
    return n;
  }

  /** The index of the first uid at or above `uid`. */
  private lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.uids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The system flag bits of message `i`, with RECENT_BIT. */
  bitsAt(i: number): number {
    return (this.flags[i]! & 31) | (this.recent.length && this.isRecent(this.uids[i]!) ? RECENT_BIT : 0);
  }

  flagsAt(i: number): readonly string[] {
    const system = SYSTEM_FLAG_SETS[this.bitsAt(i)]!;
    const keywords = this.keywords.get(this.uids[i]!);
    return keywords ? system.concat(keywords) : system;
  }

  /**
   * The indexes a sequence set names, ascending: UIDs not in the folder are skipped (RFC 9051
   * 6.4.8); a message sequence number past the end is a client error.
   */
  indexes(set: SequenceSet, uid: boolean): number[] {
    const out: number[] = [];
    if (uid) {
      const ranges = resolveSequenceSet(set, this.maxUid, normalizeRanges(this.saved.map((u) => [u, u])));
      let i = 0;
      for (const [from, to] of ranges) {
        while (i < this.uids.length && this.uids[i]! < from) i++;
        while (i < this.uids.length && this.uids[i]! <= to) out.push(i++);
      }
      return out;
    }
    // `1:*` in an empty folder names nothing rather than an invalid number.
    if (this.count === 0) return out;
    const savedSeqs = this.saved.map((u) => this.indexOf(u) + 1).filter((s) => s > 0);
    const ranges = resolveSequenceSet(set, this.count, normalizeRanges(savedSeqs.map((s) => [s, s])));
    for (const [from, to] of ranges) {
      if (to > this.count) throw new ImapParseError('Invalid message sequence number');
      for (let s = from; s <= to; s++) out.push(s - 1);
    }
    return out;
  }

  /** The UIDs at ascending indexes, as ranges for the mailbox service. */
  uidSet(indexes: readonly number[]): UidSet {
    const out: Array<[number, number]> = [];
    for (const i of indexes) {
      const u = this.uids[i]!;
      const last = out[out.length - 1];
      if (last && u === last[1] + 1) last[1] = u;
      else out.push([u, u]);
    }
    return out;
  }

  /** Whether `u` changes the flags of message `i` as the client knows them. */
  differs(i: number, u: FlagUpdate): boolean {
    const { bits, keywords } = splitFlags(u.flags);
    const before = this.keywords.get(u.uid) ?? [];
    return (
      bits !== this.flags[i] || before.length !== keywords.length || before.some((k, j) => k !== keywords[j])
    );
  }

  /** Takes flag changes into the view; returns the indexes whose flags differ from before. */
  applyFlags(updates: readonly FlagUpdate[]): number[] {
    const changed: number[] = [];
    for (const u of updates) {
      const i = this.indexOf(u.uid);
      if (i < 0) continue;
      const differs = this.differs(i, u);
      if (!differs && this.modseqs[i]! >= u.modseq) continue;
      const { bits, keywords } = splitFlags(u.flags);
      const own = this.own();
      this.flags[i] = bits;
      this.modseqs[i] = Math.max(this.modseqs[i]!, u.modseq);
      if (keywords.length) own.set(u.uid, keywords);
      else own.delete(u.uid);
      for (const k of keywords) this.view.knownKeywords.add(k);
      if (differs) changed.push(i);
    }
    return changed;
  }

  /** Adds messages that arrived (ascending UIDs above the view's). */
  appendMessages(added: readonly FlagUpdate[]): void {
    if (!added.length) return;
    const own = this.own();
    const n = this.count;
    const uids = new Uint32Array(n + added.length);
    const flags = new Uint8Array(n + added.length);
    const modseqs = new Float64Array(n + added.length);
    uids.set(this.uids);
    flags.set(this.flags);
    modseqs.set(this.modseqs);
    added.forEach((u, j) => {
      const { bits, keywords } = splitFlags(u.flags);
      uids[n + j] = u.uid;
      flags[n + j] = bits;
      modseqs[n + j] = u.modseq;
      if (keywords.length) own.set(u.uid, keywords);
      for (const k of keywords) this.view.knownKeywords.add(k);
    });
    this.uids = uids;
    this.flags = flags;
    this.modseqs = modseqs;
    this.uidnext = Math.max(this.uidnext, added[added.length - 1]!.uid + 1);
  }

  /** Removes messages; returns their sequence numbers, descending, as EXPUNGE responses must go. */
  remove(uidsToRemove: Iterable<number>): number[] {
    const seqs: number[] = [];
    const removed = new Set(uidsToRemove);
    for (const u of removed) {
      const i = this.indexOf(u);
      if (i >= 0) seqs.push(i + 1);
      this.gone.delete(u);
    }
    if (!seqs.length) return seqs;
    const own = this.own();
    for (const u of removed) own.delete(u);
    seqs.sort((a, b) => b - a);
    const drop = new Set(seqs.map((s) => s - 1));
    const keep = this.count - drop.size;
    const uids = new Uint32Array(keep);
    const flags = new Uint8Array(keep);
    const modseqs = new Float64Array(keep);
    let j = 0;
    for (let i = 0; i < this.count; i++) {
      if (drop.has(i)) continue;
      uids[j] = this.uids[i]!;
      flags[j] = this.flags[i]!;
      modseqs[j++] = this.modseqs[i]!;
    }
    this.uids = uids;
    this.flags = flags;
    this.modseqs = modseqs;
    this.saved = this.saved.filter((u) => !removed.has(u));
    return seqs;
  }
}
