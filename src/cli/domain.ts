import { OperatorError } from '../core/errors.js';
import type { Domain } from '../directory/types.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';
import { countOption, formatBytes, formatUsage, sizeOption, subcommand, withApp } from './directory-cli.js';

const LIMIT_OPTIONS = {
  'max-accounts': { type: 'string' },
  'max-aliases': { type: 'string' },
  'max-storage': { type: 'string' },
  'catch-all': { type: 'string' },
} as const;

function limits(v: {
  'max-accounts'?: string;
  'max-aliases'?: string;
  'max-storage'?: string;
  'catch-all'?: string;
}) {
  return {
    maxAccounts: countOption(v['max-accounts'], '--max-accounts'),
    maxAliases: countOption(v['max-aliases'], '--max-aliases'),
    maxStorage: sizeOption(v['max-storage'], '--max-storage'),
    catchAll: v['catch-all'] === 'none' ? null : v['catch-all'],
  };
}

const describe = (d: Domain) => (d.aliasOf ? `domain ${d.name} (alias of ${d.aliasOf})` : `domain ${d.name}`);

export const domainCommand: CommandGroup = {
  async run(args, ctx) {
    const sub = subcommand(args[0], ['add', 'set', 'list', 'show', 'remove']);
    const { values, positionals } = parseOptions(args.slice(1), {
      ...LIMIT_OPTIONS,
      'alias-of': { type: 'string' },
    });
    if (sub !== 'add' && values['alias-of'] !== undefined)
      throw new OperatorError('--alias-of is only for domain add');
    if (positionals.length > 1) throw new OperatorError(`unexpected argument "${positionals[1]}"`);
    await withApp(ctx, async ({ directory }) => {
      switch (sub) {
        case 'add': {
          const d = await directory.addDomain({
            name: requireArg(positionals[0], 'NAME'),
            aliasOf: values['alias-of'] ?? null,
            ...limits(values),
          });
          ctx.out(`added ${describe(d)}`);
          return;
        }
        case 'set': {
          const d = await directory.updateDomain(requireArg(positionals[0], 'NAME'), limits(values));
          ctx.out(`changed ${describe(d)}`);
          return;
        }
        case 'list': {
          const rows = [];
          for (const d of await directory.listDomains()) {
            const u = await directory.domainUsage(d.name);
            rows.push(
              ctx.json
                ? { ...d, usage: d.aliasOf ? null : u }
                : {
                    name: d.name,
                    aliasOf: d.aliasOf,
                    accounts: d.aliasOf ? null : `${u.accounts.used}/${u.accounts.max ?? '-'}`,
                    aliases: d.aliasOf ? null : `${u.aliases.used}/${u.aliases.max ?? '-'}`,
                    storage: d.aliasOf
                      ? null
                      : `${formatBytes(u.storage.used)}/${u.storage.max === null ? '-' : formatBytes(u.storage.max)}`,
                  },
            );
          }
          printTable(ctx, rows, ctx.json ? undefined : ['name', 'aliasOf', 'accounts', 'aliases', 'storage']);
          return;
        }
        case 'show': {
          const d = await directory.getDomain(requireArg(positionals[0], 'NAME'));
          const u = await directory.domainUsage(d.name);
          const aliases = await directory.domainAliases(d.name);
          if (ctx.json) {
            printRecord(ctx, { ...d, domainAliases: aliases, usage: u });
            return;
          }
          printRecord(ctx, {
            name: d.name,
            ...(d.aliasOf
              ? { 'alias of': d.aliasOf }
              : { 'domain aliases': aliases.length ? aliases : null, 'catch-all': d.catchAll }),
            accounts: formatUsage(u.accounts),
            aliases: formatUsage(u.aliases),
            storage: `${formatBytes(u.storage.used)} used, ${formatUsage({ used: u.storage.allocated, max: u.storage.max }, true)} allocated to quotas`,
          });
          return;
        }
        case 'remove': {
          const name = requireArg(positionals[0], 'NAME');
          await directory.removeDomain(name);
          ctx.out(`removed domain ${name}`);
          return;
        }
      }
    });
  },
};
