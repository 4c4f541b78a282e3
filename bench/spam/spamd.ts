import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusMessage } from '../../src/scan/spam/corpus-fixture.js';

/**
 * Runs a private spamd (-L, 2 children) on `port` and asks it about every message through spamc
 * with `args`, two at a time; `read` turns spamc's output into the answer. spamd is stopped after.
 */
export async function askSpamd<T>(
  msgs: CorpusMessage[],
  port: string,
  args: string[],
  read: (output: Buffer, msg: CorpusMessage) => T,
): Promise<T[]> {
  const pidFile = join(tmpdir(), `mailstead-bench-spamd-${port}.pid`);
  execFileSync(
    'spamd',
    ['-L', '-d', '-i', '127.0.0.1', '-p', port, '-A', '127.0.0.1', '--max-children=2', '-r', pidFile],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; i < 60 && spawnSync('spamc', ['-p', port, '-K']).status !== 0; i++)
      await new Promise((r) => setTimeout(r, 1000));
    const out: T[] = new Array(msgs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < msgs.length) {
        const i = next++;
        out[i] = await new Promise<T>((resolve, reject) => {
          const c = spawn('spamc', ['-p', port, ...args]);
          const chunks: Buffer[] = [];
          c.stdout.on('data', (d: Buffer) => chunks.push(d));
          c.on('close', () => {
            try {
              resolve(read(Buffer.concat(chunks), msgs[i]!));
            } catch (e) {
              reject(e as Error);
            }
          });
          c.stdin.end(msgs[i]!.raw);
        });
      }
    };
    await Promise.all([worker(), worker()]);
    return out;
  } finally {
    spawnSync('sh', ['-c', `kill $(cat ${pidFile})`]);
  }
}
