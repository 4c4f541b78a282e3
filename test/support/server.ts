import { Config } from '../../src/config/config.js';
import { allKeys } from '../../src/config/registry.js';
import { initDataDir } from '../../src/cli/init.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { Writable } from 'node:stream';
import pg from 'pg';
import { PG_URL, pgSchema } from '../store/backends.js';
import { tempDir } from './tmp.js';

export interface TestServer extends RunningServer {
  dir: string;
  adminAddress: string;
  adminPassword: string;
  /** The bound address of a listener, e.g. port('smtp'). */
  port(service: string): number;
  close(): Promise<void>;
}

/** The store backend of test servers: SQLite, or with MAILSTEAD_TEST_BACKEND=postgres a fresh schema at MAILSTEAD_TEST_PG_URL. */
export function testBackend(): 'sqlite' | 'postgres' {
  const b = process.env.MAILSTEAD_TEST_BACKEND ?? 'sqlite';
  if (b !== 'sqlite' && b !== 'postgres') throw new Error(`MAILSTEAD_TEST_BACKEND=${b}: sqlite or postgres`);
  return b;
}

/** The store settings of a new test data dir for `backend`, and how to remove that store afterwards. */
export async function testStore(
  backend = testBackend(),
): Promise<{ settings: Record<string, string>; drop: () => Promise<void> }> {
  if (backend === 'sqlite') return { settings: {}, drop: async () => undefined };
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const { url, drop } = await pgSchema(admin);
  return {
    settings: { 'store.url': url, 'store.blobs': 'postgres' },
    drop: async () => {
      await drop().catch(() => undefined);
      await admin.end();
    },
  };
}

/**
 * A real server on ephemeral loopback ports with a temp data dir: every `listen.*` key is set to
 * 127.0.0.1:0 unless `settings` says otherwise. Logs go nowhere unless MAILSTEAD_TEST_LOG is set.
 */
export async function startTestServer(
  settings: Record<string, string> = {},
  opts: { log?: Writable } = {},
): Promise<TestServer> {
  const { dir, cleanup } = tempDir();
  const store = await testStore();
  const init = await initDataDir(dir, { hostname: 'mail.example.test', settings: store.settings });
  const config = Config.open(dir);
  for (const k of allKeys) if (k.key.startsWith('listen.')) config.set(k.key, '127.0.0.1:0');
  config.set('log.level', process.env.MAILSTEAD_TEST_LOG ?? 'warn');
  for (const [k, v] of Object.entries(settings)) config.set(k, v);
  const sink = opts.log ?? new Writable({ write: (_c, _e, cb) => cb() });
  const server = await startServer(dir, {
    out: () => undefined,
    ...(process.env.MAILSTEAD_TEST_LOG && !opts.log ? {} : { logDestination: sink }),
  }).catch(async (e: unknown) => {
    // A server that fails to start (a test of that failure) leaves no data directory behind.
    await store.drop();
    cleanup();
    throw e;
  });
  return {
    ...server,
    dir,
    adminAddress: init.adminAddress,
    adminPassword: init.adminPassword,
    port(service: string) {
      const l = server.listeners.find((x) => x.service === service);
      if (!l) throw new Error(`no ${service} listener`);
      return Number(l.address.split(':').at(-1));
    },
    async close() {
      await server.stop();
      await store.drop();
      cleanup();
    },
  };
}
