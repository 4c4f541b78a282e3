import { Config } from '../config/config.js';
import { OperatorError } from '../core/errors.js';
import { renderConfigDocs } from '../config/docs.js';
import { allKeys } from '../config/registry.js';
import { type CommandGroup, printTable, requireArg } from './command.js';

export const configCommand: CommandGroup = {
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'docs') {
      ctx.out(renderConfigDocs(allKeys));
      return;
    }
    const config = Config.open(ctx.dataDir);
    switch (sub) {
      case 'get': {
        const e = config.entry(requireArg(rest[0], 'KEY'));
        ctx.out(ctx.json ? JSON.stringify({ key: e.key, value: e.value, default: e.isDefault }) : e.text);
        return;
      }
      case 'set': {
        const key = requireArg(rest[0], 'KEY');
        if (rest.length < 2) throw new OperatorError(`missing VALUE for ${key}`);
        const def = config.set(key, rest.slice(1).join(' '));
        ctx.out(
          `${key} = ${config.entry(key).text}${def.reload === 'restart' ? ' (a running server needs a restart to apply this)' : ''}`,
        );
        return;
      }
      case 'unset': {
        const key = requireArg(rest[0], 'KEY');
        const def = config.unset(key);
        ctx.out(
          `${key} = ${config.entry(key).text} (default)${def.reload === 'restart' ? ' (a running server needs a restart to apply this)' : ''}`,
        );
        return;
      }
      case 'list': {
        const all = rest.includes('--all');
        const prefix = rest.find((r) => !r.startsWith('--'));
        const rows = config
          .list()
          .filter((e) => (!prefix || e.key.startsWith(prefix)) && !(e.def.secret && e.isDefault))
          .map((e) => ({
            key: e.key,
            value: e.text,
            default: e.isDefault ? 'yes' : 'no',
            ...(all ? { description: e.def.description } : {}),
          }));
        printTable(ctx, rows);
        return;
      }
      default:
        throw new OperatorError(`unknown subcommand "${sub ?? ''}"; use get, set, unset, list or docs`);
    }
  },
};
