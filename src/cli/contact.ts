import { OperatorError } from '../core/errors.js';
import type { Contact, ContactUpdate } from '../directory/contacts.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';
import { subcommand, withApp } from './directory-cli.js';

const FIELDS = {
  email: { type: 'string' },
  phone: { type: 'string' },
  company: { type: 'string' },
  title: { type: 'string' },
  group: { type: 'string' },
  domain: { type: 'string' },
  name: { type: 'string' },
} as const;

function contactId(text: string | undefined): number {
  const id = Number(requireArg(text, 'ID'));
  if (!Number.isInteger(id) || id <= 0) throw new OperatorError(`"${text}" is not a contact id`);
  return id;
}

const row = (c: Contact) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  phone: c.phone,
  company: c.company,
  title: c.title,
  domain: c.domain,
  group: c.group,
});

export const contactCommand: CommandGroup = {
  async run(args, ctx) {
    const sub = subcommand(args[0], ['add', 'list', 'show', 'set', 'remove']);
    const { values: v, positionals } = parseOptions(args.slice(1), FIELDS);
    await withApp(ctx, async ({ directory }) => {
      const contacts = directory.contacts;
      switch (sub) {
        case 'add': {
          const c = await contacts.add({
            name: requireArg(positionals[0], 'NAME'),
            email: requireArg(v.email, '--email'),
            domain: requireArg(v.domain, '--domain'),
            group: v.group ?? null,
            ...(v.phone !== undefined ? { phone: v.phone } : {}),
            ...(v.company !== undefined ? { company: v.company } : {}),
            ...(v.title !== undefined ? { title: v.title } : {}),
          });
          ctx.out(
            ctx.json
              ? JSON.stringify(row(c))
              : `added contact ${c.id}: ${c.name} <${c.email}> in ${c.domain}${c.group ? ` (group ${c.group})` : ''}`,
          );
          return;
        }
        case 'list':
          printTable(
            ctx,
            (
              await contacts.list({
                ...(v.domain ? { domain: v.domain } : {}),
                ...(v.group ? { group: v.group } : {}),
              })
            ).map(row),
          );
          return;
        case 'show':
          printRecord(ctx, row(await contacts.get(contactId(positionals[0]))));
          return;
        case 'set': {
          const update: ContactUpdate = {};
          for (const k of ['name', 'email', 'phone', 'company', 'title'] as const)
            if (v[k] !== undefined) update[k] = v[k];
          if (v.group !== undefined) update.group = v.group === 'none' ? null : v.group;
          printRecord(ctx, row(await contacts.update(contactId(positionals[0]), update)));
          return;
        }
        case 'remove':
          await contacts.remove(contactId(positionals[0]));
          ctx.out(`removed contact ${positionals[0]}`);
          return;
      }
    });
  },
};
