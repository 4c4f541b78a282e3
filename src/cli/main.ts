import { resolve } from 'node:path';
import { MailsteadError } from '../core/errors.js';
import type { CliContext, CommandEntry } from './command.js';
import { commandGroups } from './commands.js';

const GLOBAL_HELP = `Usage: mailstead COMMAND [ARGS…] [--data DIR] [--json]

Every command works on one data directory: --data DIR, else $MAILSTEAD_DATA, else ./data.
--json prints machine-readable output where a command lists or shows things.

Commands:`;

/** Usage lines, each a command after `mailstead`; an indented line goes on explaining the one above. */
function usageText(usage: readonly string[]): string {
  return usage.map((u) => (u.startsWith(' ') ? `${' '.repeat(10)}${u}` : `mailstead ${u}`)).join('\n');
}

function helpText(groups: readonly CommandEntry[]): string {
  const w = Math.max(...groups.map((g) => g.name.length));
  return `${GLOBAL_HELP}\n${groups.map((g) => `  ${g.name.padEnd(w)}  ${g.summary}`).join('\n')}\n\nRun \`mailstead help COMMAND\` for a command's usage.`;
}

/** Pulls the global options out of argv wherever they appear. */
function splitGlobals(argv: string[]): { rest: string[]; data: string | undefined; json: boolean } {
  const rest: string[] = [];
  let data: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data') data = argv[++i];
    else if (a.startsWith('--data=')) data = a.slice(7);
    else if (a === '--json') json = true;
    else rest.push(a);
  }
  return { rest, data, json };
}

export async function runCli(
  argv: string[],
  io: Partial<Pick<CliContext, 'out' | 'err'>> = {},
): Promise<number> {
  const { rest, data, json } = splitGlobals(argv);
  const ctx: CliContext = {
    dataDir: resolve(data ?? process.env.MAILSTEAD_DATA ?? 'data'),
    out: io.out ?? ((l) => process.stdout.write(l + '\n')),
    err: io.err ?? ((l) => process.stderr.write(l + '\n')),
    json,
  };
  const [name, ...args] = rest;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const g = commandGroups.find((c) => c.name === args[0]);
    ctx.out(g ? usageText(g.usage) : helpText(commandGroups));
    return 0;
  }
  const group = commandGroups.find((g) => g.name === name);
  if (!group) {
    ctx.err(`mailstead: unknown command "${name}" (see \`mailstead help\`)`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    ctx.out(usageText(group.usage));
    return 0;
  }
  try {
    return (await (await group.load()).run(args, ctx)) ?? 0;
  } catch (e) {
    if (e instanceof MailsteadError && e.operator) {
      ctx.err(`mailstead ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
