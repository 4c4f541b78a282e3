// `mailstead serve --init` as a child process, the way `npm start` runs it, for the footprint
// benchmarks: default configuration on a fresh data dir, listeners moved to ephemeral ports.
import { spawn } from 'node:child_process';
import { initDataDir } from '../../src/cli/init.js';
import { Config } from '../../src/config/config.js';
import { allKeys } from '../../src/config/registry.js';

/** A new data dir with the default configuration but for `settings` and ephemeral ports. */
export async function prepareDataDir(dir: string, settings: Record<string, string> = {}): Promise<void> {
  await initDataDir(dir, { hostname: 'mail.example.test' });
  const config = Config.open(dir);
  for (const k of allKeys) if (k.key.startsWith('listen.')) config.set(k.key, '127.0.0.1:0');
  for (const [k, v] of Object.entries(settings)) config.set(k, v);
  config.close();
}

/**
 * `mailstead serve --init` on a prepared data dir, resolved once its spam rules are loaded. It
 * runs as `npm start` runs it: bin/mailstead.js itself, so the node flags and malloc settings of
 * its `#!/usr/bin/env -S …` line apply. SERVER_NODE_ARGS='…' runs `node …` instead, to try others.
 */
export async function startMailstead(dir: string): Promise<{
  pid: number;
  /** listener name (smtp, imaps…) -> port */
  ports: Record<string, number>;
  output: () => string;
  stop: () => Promise<void>;
}> {
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean);
  const args = ['serve', '--init', '--data', dir];
  // env -S execs node in the same process, so child.pid is the server's
  const child = nodeArgs
    ? spawn(process.execPath, [...nodeArgs, 'bin/mailstead.js', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn('bin/mailstead.js', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Start-up output only: the log of a long load would pile up here. The pipes are still read.
  let out = '';
  let keep = true;
  const onData = (d: Buffer) => {
    if (keep) out += d.toString();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`mailstead serve exited (${code}):\n${out}`));
    child.once('exit', onExit);
    const poll = setInterval(() => {
      // the spam rules compile after the listeners are up; idle means they are loaded
      if (/Mailstead is running/.test(out) && /"event":"spam_rules_ready"/.test(out)) {
        clearInterval(poll);
        keep = false;
        child.off('exit', onExit);
        resolve();
      }
    }, 100);
  });
  const ports = Object.fromEntries(
    [...out.matchAll(/^ {2}(\S+)\s+127\.0\.0\.1:(\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
  return {
    pid: child.pid!,
    ports,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
