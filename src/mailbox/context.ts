import type { Config } from '../config/config.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import type { SqlDb } from '../store/sql.js';
import type { ChangeBus, MailboxChange } from './events.js';
import type { IndexedMessage } from './indexer.js';

/**
 * Parses a message once at delivery into what FETCH ENVELOPE and BODYSTRUCTURE return, and the
 * ENVELOPE as sent; supplied by the composition root (the IMAP wire layer owns the format).
 */
export type StructureParser = (raw: Buffer) => ParsedStructure;

export interface ParsedStructure {
  envelope: unknown;
  bodyStructure: unknown;
  envelopeWire: Buffer;
}

/** What the mailbox sub-services share. */
export interface MailboxContext {
  db: SqlDb;
  blobs: BlobStore;
  config: Config;
  bus: ChangeBus;
  parseStructure: StructureParser | undefined;
  /**
   * Where new bodies are parsed when not here: parsing is the main thread's largest share of a
   * delivery, and the SMTP thread has the libraries and a core of its own (MailboxService.parseBodiesWith).
   */
  parseElsewhere?: BodyParser;
}

/** What delivery stores of a new body, parsed once: its index fields and text, and its structure. */
export interface ParsedBody {
  indexed: IndexedMessage;
  structure: ParsedStructure | null;
}

export type BodyParser = (raw: Buffer) => Promise<ParsedBody>;

/** Runs `fn` in a transaction and publishes the changes it collected only once it has committed. */
export async function writeTx<T>(
  ctx: MailboxContext,
  fn: (db: SqlDb, publish: (c: MailboxChange) => void) => Promise<T>,
): Promise<T> {
  const changes: MailboxChange[] = [];
  const result = await ctx.db.tx((t) => fn(t, (c) => changes.push(c)));
  for (const c of changes) ctx.bus.publish(c);
  return result;
}
