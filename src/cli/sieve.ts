import { readFileSync } from 'node:fs';
import type { App } from '../app.js';
import { OperatorError } from '../core/errors.js';
import { SieveSyntaxError } from '../sieve/errors.js';
import type { GlobalPosition } from '../store/sieve/sieve-repo.js';
import { type CommandGroup, parseOptions, printTable, requireArg } from './command.js';
import { subcommand, withApp } from './directory-cli.js';

/** The account id of USER, or an operator error naming it. */
export async function userId(app: App, user: string | undefined): Promise<number> {
  const account = await app.directory.getAccount(requireArg(user, 'USER'));
  if (!account) throw new OperatorError(`there is no account ${user}`);
  return account.id;
}

function readScript(file: string | undefined): string {
  const path = requireArg(file, 'FILE');
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new OperatorError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Sieve errors name line and column; the CLI prints them as one operator line. */
async function explained<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SieveSyntaxError) throw new OperatorError(e.message);
    throw e;
  }
}

const OPTIONS = {
  domain: { type: 'string' },
  server: { type: 'boolean' },
  before: { type: 'boolean' },
  after: { type: 'boolean' },
  none: { type: 'boolean' },
} as const;

export const sieveCommand: CommandGroup = {
  async run(args, ctx) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const [sub, user, name, file] = positionals;
    await withApp(ctx, async (app) => {
      switch (subcommand(sub, ['list', 'get', 'put', 'activate', 'delete', 'check', 'global'])) {
        case 'list':
          printTable(
            ctx,
            (await app.sieve.listScripts(await userId(app, user))).map((s) => ({
              name: s.name,
              active: s.active ? 'yes' : 'no',
              size: s.size,
            })),
          );
          return;
        case 'get':
          ctx.out(
            (await app.sieve.getScript(await userId(app, user), requireArg(name, 'NAME'))).replace(
              /\r?\n$/,
              '',
            ),
          );
          return;
        case 'put':
          await explained(async () =>
            app.sieve.putScript(await userId(app, user), requireArg(name, 'NAME'), readScript(file)),
          );
          ctx.out(`stored ${name} for ${user}`);
          return;
        case 'activate':
          await app.sieve.activate(
            await userId(app, user),
            values.none ? null : requireArg(name, 'NAME (or --none)'),
          );
          ctx.out(values.none ? `no script is active for ${user}` : `${name} is now active for ${user}`);
          return;
        case 'delete':
          await app.sieve.deleteScript(await userId(app, user), requireArg(name, 'NAME'));
          ctx.out(`deleted ${name} of ${user}`);
          return;
        case 'check':
          await userId(app, user);
          await explained(async () => app.sieve.checkScript(readScript(name), name));
          ctx.out('the script is valid');
          return;
        case 'global':
          return globalCommand(app, ctx, user, values, name);
      }
    });
  },
};

async function globalCommand(
  app: App,
  ctx: Parameters<CommandGroup['run']>[1],
  sub: string | undefined,
  values: { domain?: string; server?: boolean; before?: boolean; after?: boolean },
  file: string | undefined,
): Promise<void> {
  if (subcommand(sub, ['list', 'put', 'get', 'remove']) === 'list') {
    printTable(
      ctx,
      (await app.sieve.listGlobal()).map((g) => ({
        scope: g.scope || '(server)',
        position: g.position,
        size: g.size,
        updated: new Date(g.updatedAt).toISOString(),
      })),
    );
    return;
  }
  if (!!values.domain === !!values.server)
    throw new OperatorError('give exactly one of --domain D or --server');
  if (!!values.before === !!values.after) throw new OperatorError('give exactly one of --before or --after');
  const scope = values.domain ?? '';
  if (scope && !(await app.directory.isLocalDomain(scope)))
    throw new OperatorError(`${scope} is not a local domain`);
  const position: GlobalPosition = values.before ? 'before' : 'after';
  const what = `the ${position} script of ${scope || 'the server'}`;
  if (sub === 'get') ctx.out((await app.sieve.getGlobal(scope, position)).replace(/\r?\n$/, ''));
  if (sub === 'remove') {
    await app.sieve.removeGlobal(scope, position);
    ctx.out(`removed ${what}`);
  }
  if (sub === 'put') {
    await explained(() => app.sieve.putGlobal(scope, position, readScript(file)));
    ctx.out(`stored ${what}`);
  }
}
