import { runCli } from '../../src/cli/main.js';

/** Runs `mailstead ARGS` in-process and captures what it prints. */
export async function cli(
  dataDir: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...args, '--data', dataDir], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
