import { Config } from './config/config.js';
import { DeliveryLog } from './log/delivery-log.js';
import { createLogger, silentLogger, type Logger } from './log/logger.js';
import { Metrics } from './metrics/metrics.js';
import { Store } from './store/store.js';
import { Directory } from './directory/directory.js';
import { storedStructure } from './imap/stored-structure.js';
import { MailboxService } from './mailbox/mailbox-service.js';
import { MailQueue } from './queue/mail-queue.js';
import { DkimService } from './dkim/dkim-service.js';
import { RemoteDeliverer } from './delivery/remote/remote-deliverer.js';
import { MtaStsRepo } from './store/remote/mta-sts-repo.js';
import { sieveStep } from './delivery/local/sieve-step.js';
import { SieveService } from './sieve/service/sieve-service.js';
import { SieveRepo } from './store/sieve/sieve-repo.js';
import { ScanService } from './scan/scan-service.js';
import { SqliteDb } from './store/sqlite/sqlite-db.js';
import { fullTextFields } from './store/mailbox/body-repo.js';
import { indexMessage } from './mailbox/indexer.js';

/**
 * The services of one data directory, wired together. The CLI opens one per command; `serve`
 * opens one and starts the listeners on it. Protocol modules receive the App and call services.
 */
export interface App {
  config: Config;
  log: Logger;
  metrics: Metrics;
  store: Store;
  deliveryLog: DeliveryLog;
  directory: Directory;
  mailbox: MailboxService;
  /** The mail queue, its manager (started by `serve`) and its management API. */
  queue: MailQueue;
  /** DKIM keys and outbound signing. */
  dkim: DkimService;
  /** Users' and global Sieve scripts, the rule editor, and the run at local delivery. */
  sieve: SieveService;
  /** Virus and spam scanning at SMTP time, Junk filing, Bayes learning and training folders. */
  scan: ScanService;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  /** Log to stdout per config (serve) instead of dropping server logs (CLI commands). */
  serverLog?: boolean;
  logDestination?: NodeJS.WritableStream;
}

export async function openApp(dataDir: string, opts: OpenAppOptions = {}): Promise<App> {
  const config = Config.open(dataDir);
  const log = opts.serverLog
    ? await createLogger({
        level: config.get('log.level'),
        format: config.get('log.format'),
        ...(opts.logDestination ? { destination: opts.logDestination } : {}),
      })
    : silentLogger();
  const metrics = new Metrics(opts.serverLog ?? false);
  const store = await Store.open(config, { log });
  const deliveryLog = new DeliveryLog(config.path('log.delivery_file'));
  const directory = new Directory(store.db, config, log, metrics);
  const mailbox = new MailboxService({
    db: store.db,
    blobs: store.blobs,
    config,
    parseStructure: storedStructure,
  });
  // Bodies the SQLite full-text index lacks after a crash or an upgrade, from their blobs.
  if (store.db instanceof SqliteDb)
    store.db.fullText?.startRecovery({
      blobs: store.blobs,
      textOf: async (raw) => fullTextFields(await indexMessage(raw)),
      log,
    });
  const dkim = new DkimService(store.db, log);
  const sieve = new SieveService(new SieveRepo(store.db), config);
  const scan = new ScanService({
    config,
    log,
    metrics,
    db: store.db,
    blobs: store.blobs,
    directory,
    mailbox,
  });
  const sieveRunner = sieveStep({
    sieve,
    directory,
    mailbox,
    blobs: store.blobs,
    junkFolder: (r, accountId) => scan.junk.folderFor(r.queueId, accountId, r.message.sender),
    enqueue: (req) => queue.enqueue(req),
    hostname: () => config.get<string>('server.hostname'),
    log,
  });
  // Outbound mail is DKIM-signed on the way out, after everything that changes it (RFC 6376 §5).
  const remote = new RemoteDeliverer(
    config,
    store.blobs,
    log,
    (_m, bytes) => dkim.sign(bytes),
    {},
    new MtaStsRepo(store.db),
  );
  const queue: MailQueue = new MailQueue({
    db: store.db,
    blobs: store.blobs,
    config,
    log,
    metrics,
    deliveryLog,
    directory,
    mailbox,
    sieve: sieveRunner,
    remote,
  });
  return {
    config,
    log,
    metrics,
    store,
    deliveryLog,
    directory,
    mailbox,
    queue,
    dkim,
    sieve,
    scan,
    async close() {
      await queue.close();
      await scan.close();
      remote.close();
      deliveryLog.close();
      config.close();
      await store.close();
    },
  };
}
