import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `mailstead serve --data DIR` as a child process for a benchmark: resolves with the port the
 * named listener reports (e.g. 'imaps', 'pop3s') and a stop that waits for the process to exit.
 */
export async function serveForBench(
  dir: string,
  listener: string,
): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [join(process.cwd(), 'bin', 'mailstead.js'), 'serve', '--data', dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
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
