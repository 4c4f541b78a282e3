import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusMessage } from '../../src/scan/spam/corpus-fixture.js';
import { processTreeCpu } from '../proc-cpu.js';

export interface Spamd {
  port: string;
  /** CPU seconds spamd has used so far: the parent and its children, live and reaped */
  cpuSeconds(): number;
  /** One CHECK (what `spamc -c` sends) straight over the socket: SpamAssassin's score. */
  check(raw: Buffer): Promise<number>;
  stop(): void;
}

/**
 * A private spamd as the issue configures it: local tests only (-L), `children` pre-forked
 * children (min = max), on `port`.
 */
export async function startSpamd(port: string, children: number): Promise<Spamd> {
  const pidFile = join(tmpdir(), `mailstead-bench-spamd-${port}.pid`);
  execFileSync(
    'spamd',
    [
      '-L',
      '-d',
      '-i',
      '127.0.0.1',
      '-p',
      port,
      '-A',
      '127.0.0.1',
      `--max-children=${children}`,
      `--min-children=${children}`,
      '-r',
      pidFile,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 60 && spawnSync('spamc', ['-p', port, '-K']).status !== 0; i++)
    await new Promise((r) => setTimeout(r, 1000));
  const pid = readFileSync(pidFile, 'utf8').trim();
  return {
    port,
    cpuSeconds() {
      if (!existsSync(`/proc/${pid}`)) throw new Error(`spamd (pid ${pid}) is gone`);
      return processTreeCpu(Number(pid));
    },
    check: (raw) =>
      new Promise((resolve, reject) => {
        const sock = connect(Number(port), '127.0.0.1');
        const chunks: Buffer[] = [];
        sock.on('data', (d: Buffer) => chunks.push(d));
        sock.on('error', reject);
        sock.on('end', () => {
          const reply = Buffer.concat(chunks).toString('latin1');
          const m = /^Spam: \w+ ; (-?[\d.]+) \/ /m.exec(reply);
          if (m) resolve(Number(m[1]));
          else reject(new Error(`spamd answered: ${reply.slice(0, 200)}`));
        });
        sock.write(`CHECK SPAMC/1.5\r\nContent-length: ${raw.length}\r\n\r\n`);
        sock.end(raw);
      }),
    stop: () => spawnSync('kill', [pid]),
  };
}

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
  const spamd = await startSpamd(port, 2);
  try {
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
    spamd.stop();
  }
}
