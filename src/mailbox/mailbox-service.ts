import type { Config } from '../config/config.js';
import { GroupCommit } from '../core/group-commit.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { BlobStore } from '../store/blobs/blob-store.js';
import { deliveryByKey, pruneDeliveries, recordDelivery } from '../store/mailbox/delivery-repo.js';
import { folderByName, insertFolder } from '../store/mailbox/folder-repo.js';
import type { SqlDb } from '../store/sql.js';
import { AclService } from './acl.js';
import { actorFor } from './access.js';
import { writeTx, type BodyParser, type MailboxContext, type StructureParser } from './context.js';
import { LocalChangeBus, type ChangeBus, type ChangeListener, type MailboxChange } from './events.js';
import { checkFolderPath } from './folder-names.js';
import { FolderService } from './folders.js';
import { FolderViews } from './folder-views.js';
import { prepareBody, storeMessage, type PreparedBody } from './message-writer.js';
import { MessageService } from './messages.js';
import { MetadataService } from './metadata.js';
import { accountQuota, QuotaService } from './quota.js';
import { reconstruct, type FolderRepair } from './reconstruct.js';
import type { DeliverRequest, DeliverResult, MailboxActor, QuotaStatus } from './types.js';

/** A delivery parsed and checked outside the transaction, waiting for the next group commit. */
interface PendingDelivery {
  req: DeliverRequest;
  folderName: string;
  body: PreparedBody;
}

/** Most deliveries in one transaction: enough to share an fsync, short enough to keep readers waiting little. */
const DELIVERY_BATCH = 64;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export interface MailboxServiceOptions {
  db: SqlDb;
  blobs: BlobStore;
  config: Config;
  bus?: ChangeBus;
  parseStructure?: StructureParser;
}

/**
 * The mailbox store: folders, messages, flags, MODSEQ, ACLs, quotas, metadata, search and change
 * notifications. Every method takes the acting account (see actorFor) and checks its rights;
 * protocol code never checks by itself.
 */
export class MailboxService {
  readonly folders: FolderService;
  readonly messages: MessageService;
  readonly acl: AclService;
  readonly quota: QuotaService;
  readonly metadata: MetadataService;
  /** The selected folders' message lists, shared by the sessions that have them selected. */
  readonly views: FolderViews;
  readonly bus: ChangeBus;
  private readonly ctx: MailboxContext;
  private readonly deliveries: GroupCommit<PendingDelivery, DeliverResult>;

  constructor(opts: MailboxServiceOptions) {
    this.bus = opts.bus ?? new LocalChangeBus();
    this.ctx = {
      db: opts.db,
      blobs: opts.blobs,
      config: opts.config,
      bus: this.bus,
      parseStructure: opts.parseStructure,
    };
    this.folders = new FolderService(this.ctx);
    this.messages = new MessageService(this.ctx);
    this.acl = new AclService(this.ctx);
    this.quota = new QuotaService(this.ctx);
    this.metadata = new MetadataService(this.ctx);
    this.views = new FolderViews(this.bus, this.folders, this.messages);
    this.deliveries = new GroupCommit((items) => this.storeDeliveries(items), {
      maxBatch: () => DELIVERY_BATCH,
      delayMs: () => 0,
    });
  }

  /**
   * Parses new bodies with `parser` (another thread's) from now on; undefined parses here again.
   * A parse that fails there is made here, so the other thread may end at any time.
   */
  parseBodiesWith(parser: BodyParser | undefined): void {
    this.ctx.parseElsewhere = parser;
  }

  /** The actor for an authenticated account: its address and group identifiers. */
  actorFor(accountId: number): Promise<MailboxActor> {
    return actorFor(this.ctx.db, accountId);
  }

  /** Listens to changes of one folder or of all ('*'); returns the unsubscribe function. */
  subscribe(folderId: number | '*', listener: ChangeListener): () => void {
    return this.bus.subscribe(folderId, listener);
  }

  /**
   * Local delivery of a blob already in the blob store, idempotent by `dedupeKey`. Throws
   * LimitError over quota, NotFoundError for a missing folder unless `createFolder`. Deliveries
   * that arrive together are stored in one transaction (see deliveries), each in its own
   * savepoint so one failure fails alone.
   */
  async deliver(req: DeliverRequest): Promise<DeliverResult> {
    const d = await this.prepareDelivery(req);
    return 'body' in d ? this.submitDelivery(d) : d;
  }

  /**
   * Many deliveries from one caller (an import), stored in the order given so UIDs follow it.
   * They are parsed together and share group commits as concurrent deliver calls would; each
   * succeeds or fails alone, its Error in its place.
   */
  async deliverMany(reqs: readonly DeliverRequest[]): Promise<Array<DeliverResult | Error>> {
    const ready = await Promise.all(reqs.map((req) => this.prepareDelivery(req).catch(asError)));
    // Submitted in one turn, so they queue in this order.
    return Promise.all(
      ready.map((d) => (d instanceof Error || !('body' in d) ? d : this.submitDelivery(d).catch(asError))),
    );
  }

  /** A delivery parsed and ready to store, or the earlier result of its dedupe key. */
  private async prepareDelivery(req: DeliverRequest): Promise<PendingDelivery | DeliverResult> {
    const earlier = await deliveryByKey(this.ctx.db, req.dedupeKey);
    if (earlier) return earlier;
    await this.folders.ensureDefaults(req.accountId);
    const folderName = checkFolderPath(req.folder ?? 'INBOX');
    return { req, folderName, body: await prepareBody(this.ctx, req.blob, '') };
  }

  private async submitDelivery(d: PendingDelivery, again = false): Promise<DeliverResult> {
    try {
      return await this.deliveries.submit(d);
    } catch (e) {
      if (!(e instanceof ConflictError || /unique|duplicate/i.test((e as Error).message))) throw e;
      // PostgreSQL: a concurrent transaction recorded the same key first…
      const winner = await deliveryByKey(this.ctx.db, d.req.dedupeKey);
      if (winner) return winner;
      // …or stored the same body first (another node delivering the same message): it is known
      // now, so the second attempt refers to it.
      if (again || d.body.kind === 'known') throw e;
      const next = await this.prepareDelivery(d.req);
      return 'body' in next ? this.submitDelivery(next, true) : next;
    }
  }

  private storeDeliveries(items: PendingDelivery[]): Promise<Array<DeliverResult | Error>> {
    return writeTx(this.ctx, async (t, publish) => {
      const results: Array<DeliverResult | Error> = [];
      for (const d of items) {
        // A rolled-back delivery must not announce its changes.
        const changes: MailboxChange[] = [];
        try {
          results.push(await t.tx((sp) => this.storeDelivery(sp, d, (c) => changes.push(c))));
          for (const c of changes) publish(c);
        } catch (e) {
          results.push(asError(e));
        }
      }
      return results;
    });
  }

  private async storeDelivery(
    t: SqlDb,
    { req, folderName, body }: PendingDelivery,
    publish: (c: MailboxChange) => void,
  ): Promise<DeliverResult> {
    // Checked again inside the transaction: two deliveries of one key may race.
    const again = await deliveryByKey(t, req.dedupeKey);
    if (again) return again;
    let folder = await folderByName(t, req.accountId, folderName);
    if (!folder) {
      if (!req.createFolder)
        throw new NotFoundError(`folder ${folderName}`, { imap: { status: 'NO', code: 'TRYCREATE' } });
      folder = await insertFolder(t, { ownerId: req.accountId, name: folderName });
    }
    const delivered = folder.specialUse === '\\Junk' ? 'junk' : 'elsewhere';
    const r = await storeMessage(
      t,
      folder,
      body,
      {
        blob: req.blob,
        volume: '',
        prefix: req.prefix,
        flags: req.flags ?? [],
        internalDate: req.internalDate ?? Date.now(),
      },
      (c) => publish({ ...c, delivered }),
    );
    const result = { uid: r.uid, folder: folderName, messageId: r.messageId };
    await recordDelivery(t, req.dedupeKey, req.accountId, result);
    return result;
  }

  quotaStatus(accountId: number): Promise<QuotaStatus> {
    return accountQuota(this.ctx.db, accountId);
  }

  /** Repairs an account's folders (or one): see reconstruct.ts. Administrators only (the CLI). */
  reconstruct(accountId: number, folder?: string): Promise<FolderRepair[]> {
    return reconstruct(this.ctx, accountId, folder);
  }

  /** Forgets dedupe keys older than mailbox.dedupe_retention. */
  pruneDeliveries(): Promise<number> {
    return pruneDeliveries(this.ctx.db, Date.now() - this.ctx.config.get<number>('mailbox.dedupe_retention'));
  }
}
