import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Config } from '../../src/config/config.js';
import { allKeys } from '../../src/config/registry.js';
import { initDataDir } from '../../src/cli/init.js';

const BIN = fileURLToPath(new URL('../../../bin/mailstead.js', import.meta.url));

/**
 * The node flags on the launcher's first line (`#!/usr/bin/env -S node …`), which `npm start`
 * runs with: a server started as `node bin/mailstead.js` would run without them.
 */
export const LAUNCHER_FLAGS: readonly string[] =
  /^#!.*\bnode\b(.*)$/m
    .exec(readFileSync(BIN, 'utf8').split('\n', 1)[0]!)?.[1]
    ?.trim()
    .split(/\s+/)
    .filter(Boolean) ?? [];

/** The argument list that runs `mailstead ARGS` as `npm start` does. */
export function serverArgs(nodeArgs: readonly string[], args: readonly string[]): string[] {
  return [...LAUNCHER_FLAGS, ...nodeArgs, BIN, ...args];
}

/** A free loopback port (bound then released; good enough for tests that restart a server on it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A data dir whose only listener is SMTP on `port`, with the given settings. */
export async function prepareDataDir(
  dir: string,
  port: number,
  settings: Record<string, string> = {},
): Promise<void> {
  await initDataDir(dir, { hostname: 'mail.example.test', settings });
  const config = Config.open(dir);
  for (const k of allKeys) if (k.key.startsWith('listen.')) config.set(k.key, 'off');
  config.set('listen.smtp', `127.0.0.1:${port}`);
  config.set('log.level', 'warn');
  // Again after the listeners were turned off: a caller may ask for one (listen.http).
  for (const [k, v] of Object.entries(settings)) if (k.startsWith('listen.')) config.set(k, v);
  config.close();
}

/**
 * `mailstead serve` as a child process, resolved once it says it is running. `nodeArgs` go to
 * node before the script (benchmarks pass `--cpu-prof` to profile the server). `ownSession`
 * starts it in a session of its own, as a daemon runs: with the kernel's autogroup scheduling
 * (on here) CPU is shared out per session first, so a server left in its benchmark's session
 * shares one slice with the load generator and the sinks, while Postfix's master (setsid) gets
 * a slice of its own.
 */
export async function spawnServer(
  dir: string,
  nodeArgs: readonly string[] = [],
  opts: { ownSession?: boolean } = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, serverArgs(nodeArgs, ['serve', '--data', dir]), {
    detached: opts.ownSession ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, UV_THREADPOOL_SIZE: '32' },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    child.once('exit', onExit);
    const poll = setInterval(() => {
      if (/Mailstead is running/.test(output)) {
        clearInterval(poll);
        child.off('exit', onExit);
        resolve();
      }
    }, 50);
  });
  return child;
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export function stopGracefully(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
