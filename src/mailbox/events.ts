import { EventEmitter } from 'node:events';
import type { UidSet } from './types.js';

/**
 * A change to a folder, published after the transaction that made it commits. Plain JSON and
 * small (uids as ranges) so a multi-node deployment can carry it over PostgreSQL LISTEN/NOTIFY
 * (8000-byte payloads): a bus that must drop `uids` sets it to null, and subscribers then read
 * the details with MailboxService.changesSince(modseq).
 */
export interface MailboxChange {
  kind: 'new' | 'expunge' | 'flags' | 'folder';
  folderId: number;
  ownerId: number;
  /** The folder's HIGHESTMODSEQ after the change. */
  modseq: number;
  uids: UidSet | null;
  /**
   * Set on messages stored by local delivery (not by a client's APPEND, COPY or MOVE): whether
   * into the \Junk folder, so spam training can pass over the rest without reading the folder.
   */
  delivered?: 'junk' | 'elsewhere';
}

/** A change to the folder itself (deleted, ACL changed) rather than to its messages. */
export function folderChanged(row: { id: number; ownerId: number; highestModseq: number }): MailboxChange {
  return { kind: 'folder', folderId: row.id, ownerId: row.ownerId, modseq: row.highestModseq, uids: null };
}

export type ChangeListener = (change: MailboxChange) => void;

export interface ChangeBus {
  publish(change: MailboxChange): void;
  /** Listens to one folder, or to every folder with `'*'`; returns the unsubscribe function. */
  subscribe(folderId: number | '*', listener: ChangeListener): () => void;
}

/** The in-process bus: one node, listeners called synchronously after commit. */
export class LocalChangeBus implements ChangeBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Thousands of IDLE sessions may watch one busy folder; that is not a leak.
    this.emitter.setMaxListeners(0);
  }

  publish(change: MailboxChange): void {
    this.emitter.emit(String(change.folderId), change);
    this.emitter.emit('*', change);
  }

  subscribe(folderId: number | '*', listener: ChangeListener): () => void {
    const name = String(folderId);
    const safe: ChangeListener = (c) => {
      try {
        listener(c);
      } catch {
        // A listener's failure is its session's problem, never the writer's.
      }
    };
    this.emitter.on(name, safe);
    return () => this.emitter.off(name, safe);
  }
}
