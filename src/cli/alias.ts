import { OperatorError } from '../core/errors.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';
import { listOption, subcommand, withApp, yesNoOption } from './directory-cli.js';

const OPTIONS = {
  owner: { type: 'string', multiple: true },
  restricted: { type: 'boolean' },
  'allow-sender': { type: 'string', multiple: true },
  'members-may-send': { type: 'string' },
  domain: { type: 'string' },
} as const;

const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  add: ['owner', 'restricted', 'allow-sender', 'members-may-send'],
  set: ['owner', 'allow-sender', 'members-may-send'],
  list: ['domain'],
  show: [],
  remove: [],
  members: [],
};

export const aliasCommand: CommandGroup = {
  async run(args, ctx) {
    const sub = subcommand(args[0], Object.keys(ALLOWED));
    // `set --restricted yes|no` takes a value where `add --restricted` is a flag.
    const rest =
      sub === 'set'
        ? args.slice(1).map((a) => (a === '--restricted' ? '--restricted-value' : a))
        : args.slice(1);
    const { values: v, positionals } = parseOptions(rest, {
      ...OPTIONS,
      'restricted-value': { type: 'string' },
    });
    const stray = (Object.keys(v) as (keyof typeof OPTIONS)[]).find(
      (k) => k !== ('restricted-value' as string) && !ALLOWED[sub]!.includes(k),
    );
    if (stray) throw new OperatorError(`alias ${sub} does not take --${stray}`);
    const none = (list: string[] | undefined) =>
      list === undefined ? undefined : listOption(list).filter((x) => x !== 'none');
    await withApp(ctx, async ({ directory }) => {
      switch (sub) {
        case 'add': {
          const [address, ...members] = positionals;
          requireArg(address, 'ADDRESS');
          if (!members.length) throw new OperatorError('missing MEMBER (an address the alias delivers to)');
          const a = await directory.addAlias({
            address: address!,
            members,
            owners: listOption(v.owner),
            restricted: v.restricted ?? false,
            allowedSenders: listOption(v['allow-sender']),
            membersMaySend: yesNoOption(v['members-may-send'], '--members-may-send') ?? true,
          });
          ctx.out(
            `added alias ${a.address} with ${a.members.length} member${a.members.length === 1 ? '' : 's'}`,
          );
          return;
        }
        case 'set': {
          const a = await directory.updateAlias(requireArg(positionals[0], 'ADDRESS'), {
            restricted: yesNoOption(v['restricted-value'], '--restricted'),
            owners: none(v.owner),
            allowedSenders: none(v['allow-sender']),
            membersMaySend: yesNoOption(v['members-may-send'], '--members-may-send'),
          });
          ctx.out(`changed alias ${a.address}`);
          return;
        }
        case 'list': {
          const aliases = await directory.listAliases(v.domain ? { domain: v.domain } : {});
          if (ctx.json)
            printTable(
              ctx,
              aliases.map((a) => ({ ...a })),
            );
          else
            printTable(
              ctx,
              aliases.map((a) => ({
                address: a.address,
                members: a.members,
                owners: a.owners,
                restricted: a.restricted ? 'yes' : 'no',
              })),
            );
          return;
        }
        case 'show': {
          const a = await directory.getAlias(requireArg(positionals[0], 'ADDRESS'));
          if (ctx.json) printRecord(ctx, { ...a, expandsTo: await directory.expandAlias(a.address) });
          else
            printRecord(ctx, {
              address: a.address,
              members: a.members,
              'expands to': await directory.expandAlias(a.address),
              owners: a.owners.length ? a.owners : null,
              restricted: a.restricted
                ? `yes: ${[...a.allowedSenders, ...(a.membersMaySend ? ['members'] : [])].join(', ') || 'nobody'} may send`
                : 'no',
            });
          return;
        }
        case 'remove': {
          const address = requireArg(positionals[0], 'ADDRESS');
          await directory.removeAlias(address);
          ctx.out(`removed alias ${address}`);
          return;
        }
        case 'members': {
          const [op, address, ...members] = positionals;
          if (op !== 'add' && op !== 'remove')
            throw new OperatorError(
              `unknown subcommand "members ${op ?? ''}"; use members add or members remove`,
            );
          requireArg(address, 'ADDRESS');
          if (!members.length) throw new OperatorError('missing MEMBER');
          const a =
            op === 'add'
              ? await directory.addAliasMembers(address!, members)
              : await directory.removeAliasMembers(address!, members);
          ctx.out(
            `${op === 'add' ? 'added' : 'removed'} ${members.length} member${members.length === 1 ? '' : 's'}; ${a.address} has ${a.members.length}`,
          );
          return;
        }
      }
    });
  },
};
