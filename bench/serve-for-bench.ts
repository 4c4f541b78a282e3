import { spawn } from 'node:child_process';
import { openApp, type App } from '../src/app.js';
import { initDataDir } from '../src/cli/init.js';
import { Config } from '../src/config/config.js';
import { serverKeys } from '../src/config/keys/server.js';
import { serverArgs } from '../test/queue/server-process.js';

/**
 * `mailstead serve --data DIR` as a child process for a benchmark: resolves with the port the
 * named listener reports (e.g. 'imaps', 'pop3s') and a stop that waits for the process to exit.
 * `ownSession` starts it in a session of its own, as a daemon runs and as the reference's masters
 * do (see spawnServer in test/queue/server-process.ts: with autogroup scheduling a server in the
 * benchmark's session shares one CPU slice with its clients).
 */
export async function serveForBench(
  dir: string,
  listener: string,
  opts: { ownSession?: boolean } = {},
): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, serverArgs([], ['serve', '--data', dir]), {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: opts.ownSession ?? false,
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const line = new RegExp(`${listener}\\s+127\\.0\\.0\\.1:(\\d+)`);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = line.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`mailstead serve exited with ${code}: ${out}`)));
  });
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A new data dir for a benchmark server: every listener on an ephemeral loopback port, warnings
 * only in the log, the domain example.test and one account.
 */
export async function benchDataDir(
  dir: string,
  account: { address: string; password: string },
): Promise<{ app: App; accountId: number }> {
  await initDataDir(dir, { hostname: 'mail.example.test' });
  const config = Config.open(dir);
  // Every listener the configuration knows, so a new one never binds a fixed port in a benchmark.
  for (const k of serverKeys) if (k.key.startsWith('listen.')) config.set(k.key, '127.0.0.1:0');
  config.set('log.level', 'warn');
  config.close();
  const app = await openApp(dir);
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const { id } = await app.directory.addAccount(account);
  return { app, accountId: id };
}
