import { Config } from '../../src/config/config.js';
import { allKeys } from '../../src/config/registry.js';
import { initDataDir } from '../../src/cli/init.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { Writable } from 'node:stream';
import { tempDir } from './tmp.js';

export interface TestServer extends RunningServer {
  dir: string;
  adminAddress: string;
  adminPassword: string;
  /** The bound address of a listener, e.g. port('smtp'). */
  port(service: string): number;
  close(): Promise<void>;
}

/**
 * A real server on ephemeral loopback ports with a temp data dir: every `listen.*` key is set to
 * 127.0.0.1:0 unless `settings` says otherwise. Logs go nowhere unless MAILSTEAD_TEST_LOG is set.
 */
export async function startTestServer(settings: Record<string, string> = {}): Promise<TestServer> {
  const { dir, cleanup } = tempDir();
  const init = await initDataDir(dir, { hostname: 'mail.example.test' });
  const config = Config.open(dir);
  for (const k of allKeys) if (k.key.startsWith('listen.')) config.set(k.key, '127.0.0.1:0');
  config.set('log.level', process.env.MAILSTEAD_TEST_LOG ?? 'warn');
  for (const [k, v] of Object.entries(settings)) config.set(k, v);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const server = await startServer(dir, {
    out: () => undefined,
    ...(process.env.MAILSTEAD_TEST_LOG ? {} : { logDestination: sink }),
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
      cleanup();
    },
  };
}
