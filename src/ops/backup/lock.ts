import { openSync, closeSync, readFileSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OperatorError } from '../../core/errors.js';

export const LOCK_FILE = 'mailstead-backup.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds DEST's lock file while `fn` runs, so a prune never deletes bodies a running backup has
 * just copied into the pool but not yet listed in a manifest. A lock left by a process that no
 * longer exists (killed mid-run) is taken over.
 */
export async function withDestLock<T>(dest: string, what: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  const file = join(dest, LOCK_FILE);
  let fd: number | undefined;
  for (let attempt = 0; fd === undefined; attempt++) {
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const [pidText = '', holder = 'another run'] = readFileSync(file, 'utf8').split('\n');
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && alive(pid))
        throw new OperatorError(
          `${dest} is in use: ${holder} (pid ${pid}) is running there; ${what} must wait until it finishes (lock file ${file})`,
        );
      rmSync(file, { force: true });
    }
  }
  try {
    writeSync(fd, `${process.pid}\n${what}\n`);
    closeSync(fd);
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
