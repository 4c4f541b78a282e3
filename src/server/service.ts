import type { Server } from 'node:net';

/**
 * A protocol service bound to the addresses of one `listen.*` key. `createServer` is called once
 * per address; `drain` lets sessions finish (SIGTERM) before the process exits.
 */
export interface ProtocolService {
  /** Short name used in logs and /healthz: smtp, submission, imap… */
  name: string;
  /** The config key holding its addresses, e.g. listen.smtp. */
  key: string;
  createServer(): Server;
  /** Number of open sessions, for /healthz and the dashboard. */
  connections(): number;
  drain(timeoutMs: number): Promise<void>;
}
