import type { BlobRef } from '../store/blobs/blob-store.js';

/** Sorted, inclusive UID ranges, e.g. `[[1, 4], [9, 9]]`; the same shape as the IMAP RangeList. */
export type UidSet = ReadonlyArray<readonly [number, number]>;

/**
 * Who acts on a mailbox. Every MailboxService method takes one and checks its rights; protocol
 * code never checks by itself. `identifiers` are the ACL identifiers that apply to the account:
 * its address, `$group` for its group and the groups above it, `authenticated`, `anyone`.
 */
export interface MailboxActor {
  accountId: number;
  address: string;
  identifiers: readonly string[];
  /** The CLI and the delivery agent: every right on every folder. */
  system: boolean;
}

export const SYSTEM_ACTOR: MailboxActor = Object.freeze({
  accountId: 0,
  address: '',
  identifiers: [],
  system: true,
});

/** A folder as the actor names it (`INBOX`, `Other Users/bob@x/Sent`, `Shared/Staff Schedule`) or by id. */
export type FolderRef = string | { id: number };

export type Namespace = 'personal' | 'other' | 'shared';

export const SPECIAL_USES = [
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
  '\\All',
  '\\Flagged',
  '\\Important',
] as const;
export type SpecialUse = (typeof SPECIAL_USES)[number];

/** SCOoffice / Kolab folder types, kept as folder metadata for the groupware clients. */
export const FOLDER_TYPES = ['mail', 'calendar', 'contacts', 'journal', 'notes', 'tasks'] as const;
export type FolderType = (typeof FOLDER_TYPES)[number];

export interface FolderInfo {
  id: number;
  /** The name in the actor's view, `/`-separated. */
  name: string;
  namespace: Namespace;
  ownerId: number;
  specialUse: SpecialUse | null;
  type: FolderType;
  subscribed: boolean;
  hasChildren: boolean;
  /** The actor's rights, RFC 4314 letters. */
  rights: string;
}

export interface FolderStatus {
  messages: number;
  unseen: number;
  deleted: number;
  /** Messages no session has been told of as \Recent (IMAP4rev1 STATUS RECENT). */
  recent: number;
  /** Total octets of every message (STATUS=SIZE). */
  size: number;
  uidnext: number;
  uidvalidity: number;
  highestModseq: number;
}

/**
 * What SELECT needs, read in one query: parallel arrays indexed by sequence number - 1, so a
 * 100 000-message folder costs a few typed arrays, not 100 000 objects.
 */
export interface SelectSnapshot {
  folderId: number;
  name: string;
  uidvalidity: number;
  uidnext: number;
  highestModseq: number;
  rights: string;
  /** True without the rights to change flags or expunge (EXAMINE-like). */
  readOnly: boolean;
  uids: Uint32Array;
  /** System flag bits (see flags.ts). */
  flags: Uint8Array;
  modseqs: Float64Array;
  /** Keywords of the messages that have any, by uid. */
  keywords: Map<number, string[]>;
  /** Every keyword in use in the folder (FLAGS / PERMANENTFLAGS). */
  knownKeywords: string[];
  /** Uids from here up have been reported as \Recent to no session. */
  firstRecentUid: number;
}

export interface MessageMeta {
  uid: number;
  /** The row id of this message in this folder. */
  messageId: number;
  /** OBJECTID (RFC 8474): the same for every copy of one content. */
  emailId: string;
  threadId: string;
  flags: string[];
  modseq: number;
  internalDate: number;
  size: number;
  /** Bytes of per-recipient trace headers before the stored blob (already added to structure offsets). */
  prefixLength: number;
  /** Present when asked for (`structure` or `envelope`); computed once at delivery. */
  envelope?: unknown;
  bodyStructure?: unknown;
}

export interface FlagUpdate {
  uid: number;
  flags: string[];
  modseq: number;
}

export interface StoreFlagsRequest {
  op: 'add' | 'remove' | 'replace';
  flags: readonly string[];
  /** CONDSTORE: leave messages changed after this modseq alone and report them in `modified`. */
  unchangedSince?: number;
}

export interface StoreFlagsResult {
  modseq: number;
  updated: FlagUpdate[];
  /** UIDs not changed because their modseq was above `unchangedSince`. */
  modified: number[];
}

export interface CopyResult {
  uidvalidity: number;
  /** [source uid, destination uid] pairs (UIDPLUS COPYUID). */
  mapping: Array<[number, number]>;
}

export interface AppendRequest {
  data: Buffer | AsyncIterable<Buffer>;
  flags?: readonly string[];
  internalDate?: number;
}

export interface AppendResult {
  uidvalidity: number;
  uid: number;
  messageId: number;
}

/** The delivery agent's request (see MailboxService.deliver). */
export interface DeliverRequest {
  accountId: number;
  folder?: string;
  blob: BlobRef;
  /** Per-recipient trace headers (Return-Path, Delivered-To) that precede the shared blob. */
  prefix: Buffer;
  internalDate?: number;
  flags?: string[];
  createFolder?: boolean;
  /** A second deliver with the same key returns the first result and stores nothing. */
  dedupeKey: string;
}

export interface DeliverResult {
  uid: number;
  folder: string;
  messageId: number;
}

export interface QuotaStatus {
  usedBytes: number;
  maxBytes: number | null;
  usedMessages: number;
  maxMessages: number | null;
}

/** A quota root (RFC 9208): '' is the account, a folder name a per-folder quota. */
export interface QuotaRoot extends QuotaStatus {
  root: string;
}

export interface Changes {
  highestModseq: number;
  changed: FlagUpdate[];
  /** Expunged since the modseq (QRESYNC VANISHED). */
  vanished: UidSet;
}

export interface AclEntry {
  identifier: string;
  rights: string;
}

export interface MetadataEntry {
  entry: string;
  value: string | null;
}

/** The fields SORT and THREAD work on, per message. */
export interface SortFields {
  uid: number;
  internalDate: number;
  sentDate: number | null;
  size: number;
  from: string;
  to: string;
  cc: string;
  subject: string;
  messageId: string;
  inReplyTo: string;
  references: string;
}
