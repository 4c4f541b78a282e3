import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusMessage } from '../../src/scan/spam/corpus-fixture.js';

export interface Spamd {
  port: string;
  /** CPU seconds spamd has used so far: the parent and its children, live and reaped */
  cpuSeconds(): number;
  /** One CHECK (what `spamc -c` sends) straight over the socket: SpamAssassin's score. */
  check(raw: Buffer): Promise<number>;
  stop(): void;
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime, stime, cutime, cstime (clock ticks) and the parent pid from /proc/PID/stat. */
function procStat(pid: string): { ppid: string; ticks: number[] } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name in parentheses may hold spaces: fields are counted after its ')'
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: f[1]!, ticks: [f[11], f[12], f[13], f[14]].map(Number) };
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
      const self = procStat(pid);
      if (!self) throw new Error(`spamd (pid ${pid}) is gone`);
      let ticks = self.ticks.reduce((a, b) => a + b, 0);
      for (const p of readdirSync('/proc')) {
        if (!/^\d+$/.test(p)) continue;
        const s = procStat(p);
        if (s?.ppid === pid) ticks += s.ticks[0]! + s.ticks[1]!;
      }
      return ticks / TICKS_PER_SECOND;
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
