/**
 * The SMTP worker thread: smtp-server, TLS, the command policy and the parsing of DATA run here,
 * on the second core; the directory, the blob store and the queue answer from the main thread
 * over `ThreadRpc` (see intake-thread.ts for the other end and the list of calls).
 */
import type { Listenable } from '../server/service.js';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { Config } from '../config/config.js';
import { asBuffer, ThreadRpc } from '../core/thread-rpc.js';
import type { Account, AuthContext } from '../directory/types.js';
import { forwardingLogger, type LogLevel } from '../log/forwarding-logger.js';
import { storedStructure } from '../imap/stored-structure.js';
import { bodyParser } from '../mailbox/message-writer.js';
import { Metrics } from '../metrics/metrics.js';
import { SmtpPolicy, type RecipientFacts, type SendPermission } from '../policy/smtp-policy.js';
import type { BlobRef } from '../store/blobs/blob-store.js';
import { TlsManager } from '../tls/tls-manager.js';
import type { ReceivedMessage } from './message-intake.js';
import { createSmtpServices } from './smtp-service.js';

export interface IntakeWorkerData {
  dataDir: string;
  config: [string, unknown][];
  /** Newer config snapshots; `configVersion[0]` counts them, so a read checks one integer. */
  configPort: MessagePort;
  configVersion: SharedArrayBuffer;
  logLevels: LogLevel[];
}

/**
 * Bodies cross to the main thread in pieces of at least this size, so most messages cross whole
 * and reach the blob store as one buffer, uncopied; it is also the database blob store's chunk.
 */
const BODY_PIECE = 256 * 1024;

const data = workerData as IntakeWorkerData;
const port = parentPort!;
const listening = new Map<number, Listenable>();
let nextListener = 1;
let nextBody = 1;

const parseBody = bodyParser(storedStructure);

const rpc: ThreadRpc = new ThreadRpc(port, {
  listen: (service: string, opts: { host: string; port: number; exclusive: boolean }) =>
    new Promise((resolve, reject) => {
      const server = serviceNamed(service).createServer();
      server.once('error', reject);
      server.listen(opts, () => {
        server.off('error', reject);
        const id = nextListener++;
        listening.set(id, server);
        resolve({ id, address: server.address() });
      });
    }),
  close: (id: number) =>
    new Promise<void>((resolve) => {
      const server = listening.get(id);
      listening.delete(id);
      if (!server) return resolve();
      server.close(() => resolve());
    }),
  drain: (service: string, timeoutMs: number) => serviceNamed(service).drain(timeoutMs),
  metrics: () => metrics.registry.getMetricsAsJSON(),
  parseBody: (raw: Uint8Array) => parseBody(asBuffer(raw)),
});

const configVersion = new Int32Array(data.configVersion);
let configSeen = 0;
// Read synchronously, so a connection made after `config set` returned is handled with the new value.
const config = Config.mirror(data.dataDir, data.config, (c) => {
  const v = Atomics.load(configVersion, 0);
  if (v === configSeen) return;
  configSeen = v;
  let latest: [string, unknown][] | undefined;
  for (let m = receiveMessageOnPort(data.configPort); m; m = receiveMessageOnPort(data.configPort))
    latest = m.message as [string, unknown][];
  if (latest) c.apply(latest);
});
const log = forwardingLogger((level, obj, msg) => rpc.notify('log', level, obj, msg), data.logLevels);
const metrics = new Metrics(false);
const tls = new TlsManager(config, log);
const policy = new SmtpPolicy(
  config,
  {
    recipientFacts: (address, sender, client) =>
      rpc.call<RecipientFacts>('recipientFacts', address, sender, client),
    mayUseAddress: (account, from) => rpc.call<SendPermission | null>('mayUseAddress', account, from),
  },
  { now: () => Date.now() },
);

/**
 * Streams a body to the main thread's blob store. A message that fits in one piece crosses in
 * the same call that stores it; a larger one waits for the store to take each piece, so a slow
 * disk holds the client back instead of filling memory.
 */
async function storeBody(body: AsyncIterable<Buffer>): Promise<BlobRef> {
  const id = nextBody++;
  let pending: Buffer[] = [];
  let size = 0;
  let opened = false;
  try {
    for await (const chunk of body) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= BODY_PIECE) {
        const piece = Buffer.concat(pending, size);
        pending = [];
        size = 0;
        opened = true;
        // Moved, not copied: nothing here reads a piece again once it is sent.
        await rpc.callMoving('bodyPiece', piece, id, piece);
      }
    }
  } catch (e) {
    if (opened) rpc.notify('bodyAbort', id);
    throw e;
  }
  const last = Buffer.concat(pending, size);
  return rpc.callMoving<BlobRef>('bodyEnd', last, id, last);
}

const services = createSmtpServices(
  {
    config,
    log,
    metrics,
    policy,
    authenticate: (user: string, pass: string, ctx: AuthContext) =>
      rpc.call<Account>('authenticate', user, pass, ctx),
    storeBody,
    queueMessage: (m: ReceivedMessage) => rpc.call<string | null>('queueMessage', m),
    sessionsChanged: (listener, open) => rpc.notify('sessions', listener, open),
  },
  tls,
);

function serviceNamed(name: string) {
  const s = services.find((x) => x.name === name);
  if (!s) throw new Error(`no SMTP service ${name}`);
  return s;
}

rpc.notify('ready');
