import { OperatorError } from '../core/errors.js';
import { parseDuration } from '../core/size.js';
import { SYSTEM } from '../directory/types.js';
import { ApiTokenService } from '../http/session/tokens.js';
import { type CommandGroup, parseOptions, printTable, requireArg } from './command.js';
import { subcommand, withApp } from './directory-cli.js';

const when = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const tokenCommand: CommandGroup = {
  run: (args, ctx) =>
    withApp(ctx, async (app) => {
      const { values, positionals } = parseOptions(args, {
        name: { type: 'string' },
        expires: { type: 'string' },
      });
      const [sub, arg] = positionals;
      const tokens = new ApiTokenService(app.store.db, app.directory);
      switch (subcommand(sub, ['create', 'list', 'revoke'])) {
        case 'create': {
          const expires = values.expires === undefined ? null : parseDuration(values.expires);
          if (expires === undefined)
            throw new OperatorError(`--expires: "${values.expires}" is not a duration (e.g. 90d)`);
          const { token, info } = await tokens.create(
            requireArg(arg, 'ADDRESS'),
            requireArg(values.name, '--name'),
            { expiresInMs: expires },
            SYSTEM,
          );
          ctx.out(ctx.json ? JSON.stringify({ token, id: info.id, account: info.account }) : token);
          if (!ctx.json) ctx.err(`token ${info.id} for ${info.account}; it is shown only now`);
          return;
        }
        case 'list':
          printTable(
            ctx,
            (await tokens.list(SYSTEM, arg)).map((t) => ({
              id: t.id,
              account: t.account,
              name: t.name,
              created: when(t.createdAt),
              expires: when(t.expiresAt),
              lastUsed: when(t.lastUsedAt),
            })),
          );
          return;
        case 'revoke':
          if (!/^\d+$/.test(requireArg(arg, 'ID'))) throw new OperatorError(`"${arg}" is not a token id`);
          await tokens.revoke(Number(arg), SYSTEM);
          ctx.out(`revoked token ${arg}`);
          return;
      }
    }),
};
