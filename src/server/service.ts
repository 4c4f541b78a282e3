import type { AddressInfo } from 'node:net';

/** What binding needs of a listening socket: a net.Server, or one owned by a worker thread. */
export interface Listenable {
  listen(opts: { host: string; port: number; exclusive: boolean }, cb: () => void): unknown;
  address(): AddressInfo | string | null;
  close(cb?: (err?: Error) => void): unknown;
  once(event: 'error', fn: (e: Error) => void): unknown;
  off(event: 'error', fn: (e: Error) => void): unknown;
}

/**
 * A protocol service bound to the addresses of one `listen.*` key. `createServer` is called once
 * per address; `drain` lets sessions finish (SIGTERM) before the process exits.
 */
export interface ProtocolService {
  /** Short name used in logs and /healthz: smtp, submission, imap… */
  name: string;
  /** The config key holding its addresses, e.g. listen.smtp. */
  key: string;
  createServer(): Listenable;
  /** Number of open sessions, for /healthz and the dashboard. */
  connections(): number;
  drain(timeoutMs: number): Promise<void>;
}
