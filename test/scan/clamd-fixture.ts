import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ClamdClient } from '../../src/scan/virus/clamd-client.js';
import { tempDir } from '../support/tmp.js';

export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
export const CUSTOM_MARKER = 'MAILSTEAD-CUSTOM-TEST-SIGNATURE-7f3a';
const CLAMD = '/usr/sbin/clamd';

export interface Clamd {
  address: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A real clamd on 127.0.0.1 with a signature database written here (signatures cannot be
 * downloaded in the test environment): EICAR by MD5 and by content, and a custom one. Limits are
 * small so archive bombs and oversized streams are quick to provoke. Throws if clamd is missing.
 */
export async function startClamd(): Promise<Clamd> {
  if (spawnSync(CLAMD, ['--version']).status !== 0)
    throw new Error(
      `clamd not found at ${CLAMD}: install Debian's clamav-daemon (apt-get install -y clamav-daemon)`,
    );
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'db');
  mkdirSync(db);
  writeFileSync(
    join(db, 'mailstead.hdb'),
    `${createHash('md5').update(EICAR).digest('hex')}:${EICAR.length}:Mailstead.Test.EICAR.HDB\n`,
  );
  writeFileSync(
    join(db, 'mailstead.ndb'),
    `Mailstead.Test.EICAR:0:*:${Buffer.from(EICAR.slice(0, 40)).toString('hex')}\nMailstead.Test.Custom:0:*:${Buffer.from(CUSTOM_MARKER).toString('hex')}\n`,
  );
  const port = await freePort();
  const conf = join(dir, 'clamd.conf');
  writeFileSync(
    conf,
    [
      'Foreground yes',
      `DatabaseDirectory ${db}`,
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `LogFile ${join(dir, 'clamd.log')}`,
      'StreamMaxLength 8M',
      'MaxScanSize 4M',
      'MaxFileSize 2M',
      'MaxRecursion 8',
      'MaxFiles 100',
      'AlertExceedsMax yes',
      'ScanMail yes',
      'ScanArchive yes',
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(CLAMD, ['-c', conf], { stdio: 'ignore' });
  const address = `127.0.0.1:${port}`;
  const client = new ClamdClient(address, 1000);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await client.ping().catch(() => false)) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      cleanup();
      throw new Error(`clamd did not start (exit ${proc.exitCode}); see its config ${conf}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      cleanup();
    },
  };
}
