import { OperatorError } from '../core/errors.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';
import { subcommand, withApp } from './directory-cli.js';

export const groupCommand: CommandGroup = {
  async run(args, ctx) {
    const sub = subcommand(args[0], ['add', 'list', 'show', 'remove', 'admins', 'members']);
    const { values: v, positionals } = parseOptions(args.slice(1), {
      parent: { type: 'string' },
      domain: { type: 'string' },
    });
    if (sub !== 'add' && (v.parent !== undefined || v.domain !== undefined))
      throw new OperatorError(`group ${sub} does not take --${v.parent !== undefined ? 'parent' : 'domain'}`);
    await withApp(ctx, async ({ directory }) => {
      const groups = await directory.listGroups();
      const nameOf = (id: number | null) =>
        id === null ? null : (groups.find((g) => g.id === id)?.name ?? null);
      switch (sub) {
        case 'add': {
          const g = await directory.addGroup({
            name: requireArg(positionals[0], 'NAME'),
            parent: v.parent ?? null,
            domain: v.domain ?? null,
          });
          ctx.out(
            `added group ${g.name}${g.parentId === null ? '' : ` under ${v.parent}`}${g.domain ? ` in domain ${g.domain}` : ''}`,
          );
          return;
        }
        case 'list':
          printTable(
            ctx,
            groups.map((g) => ({ ...g, parent: nameOf(g.parentId) })),
            ctx.json ? undefined : ['name', 'parent', 'domain', 'admins'],
          );
          return;
        case 'show': {
          const g = await directory.getGroup(requireArg(positionals[0], 'NAME'));
          const members = (await directory.groupMembers(g.name)).map((a) => a.address);
          printRecord(ctx, {
            name: g.name,
            parent: nameOf(g.parentId),
            domain: g.domain,
            admins: g.admins.length ? g.admins : null,
            members: members.length ? members : null,
            'sub-groups': groups.filter((s) => s.parentId === g.id).map((s) => s.name),
          });
          return;
        }
        case 'remove': {
          const name = requireArg(positionals[0], 'NAME');
          await directory.removeGroup(name);
          ctx.out(`removed group ${name}`);
          return;
        }
        case 'admins': {
          const [op, name, account, extra] = positionals;
          if (op !== 'add' && op !== 'remove')
            throw new OperatorError(
              `unknown subcommand "admins ${op ?? ''}"; use admins add or admins remove`,
            );
          requireArg(name, 'NAME');
          requireArg(account, 'ACCOUNT');
          if (extra !== undefined) throw new OperatorError(`unexpected argument "${extra}"`);
          if (op === 'add') {
            const { promoted } = await directory.addGroupAdmin(name!, account!);
            ctx.out(
              `${account} is now an admin of group ${name}${promoted ? ' (role raised to group-admin)' : ''}`,
            );
          } else {
            await directory.removeGroupAdmin(name!, account!);
            ctx.out(`${account} is no longer an admin of group ${name}`);
          }
          return;
        }
        case 'members': {
          const [op, name, ...accounts] = positionals;
          if (op !== 'list' && op !== 'add' && op !== 'remove')
            throw new OperatorError(
              `unknown subcommand "members ${op ?? ''}"; use members list, add or remove`,
            );
          requireArg(name, 'NAME');
          if (op === 'list') {
            printTable(
              ctx,
              (await directory.groupMembers(name!)).map((a) => ({
                address: a.address,
                displayName: a.displayName,
                role: a.role,
              })),
            );
            return;
          }
          if (!accounts.length) throw new OperatorError('missing ACCOUNT');
          if (op === 'add') await directory.addGroupMembers(name!, accounts);
          else await directory.removeGroupMembers(name!, accounts);
          ctx.out(
            `${op === 'add' ? 'added' : 'removed'} ${accounts.length} member${accounts.length === 1 ? '' : 's'} ${op === 'add' ? 'to' : 'from'} group ${name}`,
          );
          return;
        }
      }
    });
  },
};
