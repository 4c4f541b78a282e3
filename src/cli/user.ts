import { OperatorError } from '../core/errors.js';
import { checkRole } from '../directory/accounts.js';
import type { Directory } from '../directory/directory.js';
import type { Account, AccountUpdate, SendPermission } from '../directory/types.js';
import {
  type CliContext,
  type CommandGroup,
  parseOptions,
  printRecord,
  printTable,
  requireArg,
} from './command.js';
import {
  countOption,
  formatBytes,
  listOption,
  sizeOption,
  subcommand,
  usageSummary,
  withApp,
  yesNoOption,
} from './directory-cli.js';

const OPTIONS = {
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  quota: { type: 'string' },
  'quota-messages': { type: 'string' },
  role: { type: 'string' },
  group: { type: 'string' },
  name: { type: 'string' },
  domain: { type: 'string' },
  'receive-local-only': { type: 'string' },
  webmail: { type: 'string' },
  forward: { type: 'string' },
  'keep-copy': { type: 'string' },
  to: { type: 'string', multiple: true },
  'send-as': { type: 'boolean' },
  'send-on-behalf': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

/** Which options each subcommand takes; anything else is refused by name. */
const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  add: ['password', 'password-stdin', 'quota', 'quota-messages', 'role', 'group', 'name'],
  list: ['domain', 'group'],
  show: [],
  remove: [],
  passwd: ['password', 'password-stdin'],
  disable: [],
  enable: [],
  set: [
    'receive-local-only',
    'webmail',
    'forward',
    'keep-copy',
    'quota',
    'quota-messages',
    'role',
    'group',
    'name',
  ],
  grant: ['to', 'send-as', 'send-on-behalf'],
  revoke: ['to', 'send-as', 'send-on-behalf'],
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function password(v: Values): Promise<string> {
  if (v.password !== undefined && v['password-stdin'])
    throw new OperatorError('give --password or --password-stdin, not both');
  const p = v['password-stdin'] ? await readStdin() : v.password;
  if (p === undefined) throw new OperatorError('missing --password (or --password-stdin)');
  return p;
}

async function groupId(directory: Directory, name: string | undefined): Promise<number | null | undefined> {
  if (name === undefined) return undefined;
  return name === 'none' ? null : (await directory.getGroup(name)).id;
}

async function showable(directory: Directory, a: Account) {
  const group =
    a.groupId === null
      ? null
      : ((await directory.listGroups()).find((g) => g.id === a.groupId)?.name ?? null);
  return { ...a, group };
}

function permissions(v: Values): SendPermission[] {
  const p: SendPermission[] = [
    ...(v['send-as'] ? (['send-as'] as const) : []),
    ...(v['send-on-behalf'] ? (['send-on-behalf'] as const) : []),
  ];
  if (!p.length) throw new OperatorError('give --send-as or --send-on-behalf (or both)');
  return p;
}

async function grantOrRevoke(
  sub: 'grant' | 'revoke',
  directory: Directory,
  mailbox: string,
  v: Values,
  ctx: CliContext,
): Promise<void> {
  const grantees = listOption(v.to);
  if (!grantees.length) throw new OperatorError('missing --to USER or --to @GROUP');
  for (const perm of permissions(v)) {
    for (const g of grantees) {
      if (sub === 'grant') {
        const added = await directory.grantSend(mailbox, g, perm);
        ctx.out(added ? `granted ${perm} on ${mailbox} to ${g}` : `${g} already had ${perm} on ${mailbox}`);
      } else {
        const removed = await directory.revokeSend(mailbox, g, perm);
        ctx.out(removed ? `revoked ${perm} on ${mailbox} from ${g}` : `${g} had no ${perm} on ${mailbox}`);
      }
    }
  }
}

export const userCommand: CommandGroup = {
  async run(args, ctx) {
    const sub = subcommand(args[0], Object.keys(ALLOWED));
    const { values: v, positionals } = parseOptions(args.slice(1), OPTIONS);
    const stray = (Object.keys(v) as (keyof typeof OPTIONS)[]).find((k) => !ALLOWED[sub]!.includes(k));
    if (stray) throw new OperatorError(`user ${sub} does not take --${stray}`);
    if (positionals.length > (sub === 'list' ? 0 : 1))
      throw new OperatorError(`unexpected argument "${positionals.at(-1)}"`);
    const address =
      sub === 'list'
        ? ''
        : requireArg(positionals[0], sub === 'grant' || sub === 'revoke' ? 'MAILBOX' : 'ADDRESS');
    if (v.role !== undefined) checkRole(v.role);
    await withApp(ctx, async ({ directory }) => {
      switch (sub) {
        case 'add': {
          const a = await directory.addAccount({
            address,
            password: await password(v),
            displayName: v.name ?? '',
            role: v.role as Account['role'] | undefined,
            quotaBytes: sizeOption(v.quota, '--quota') ?? null,
            quotaMessages: countOption(v['quota-messages'], '--quota-messages') ?? null,
            groupId: (await groupId(directory, v.group)) ?? null,
          });
          ctx.out(`added ${a.role === 'user' ? 'account' : a.role} ${a.address}`);
          ctx.out(usageSummary(a.domain, await directory.domainUsage(a.domain)));
          return;
        }
        case 'list': {
          const gid = await groupId(directory, v.group);
          const accounts = await directory.listAccounts({
            ...(v.domain ? { domain: v.domain } : {}),
            ...(gid != null ? { groupId: gid } : {}),
          });
          const rows = await Promise.all(accounts.map((a) => showable(directory, a)));
          printTable(
            ctx,
            ctx.json
              ? rows
              : rows.map((a) => ({
                  ...a,
                  quota: a.quotaBytes === null ? null : formatBytes(a.quotaBytes),
                  enabled: a.enabled ? 'yes' : 'no',
                })),
            ctx.json ? undefined : ['address', 'displayName', 'role', 'enabled', 'quota', 'group'],
          );
          return;
        }
        case 'show': {
          const a = await showable(directory, await directory.showAccount(address));
          const grants = await directory.listSendGrants(a.address);
          const grantText = grants.map(
            (g) =>
              `${g.permission} to ${g.grantee.kind === 'group' ? `@${g.grantee.name}` : g.grantee.address}`,
          );
          if (ctx.json) {
            printRecord(ctx, { ...a, grants });
            return;
          }
          printRecord(ctx, {
            address: a.address,
            name: a.displayName,
            role: a.role,
            enabled: a.enabled ? 'yes' : 'no',
            quota: `${a.quotaBytes === null ? 'unlimited' : formatBytes(a.quotaBytes)}, ${a.quotaMessages === null ? 'unlimited' : a.quotaMessages} messages`,
            group: a.group,
            'receive local only': a.receiveLocalOnly ? 'yes' : 'no',
            webmail: a.webmail ? 'yes' : 'no',
            forward: a.forwardTo.length
              ? `${a.forwardTo.join(', ')} (${a.forwardKeepCopy ? 'keeping' : 'not keeping'} a copy)`
              : null,
            grants: grantText.length ? grantText : null,
          });
          return;
        }
        case 'remove':
          await directory.removeAccount(address);
          ctx.out(`removed account ${address}`);
          return;
        case 'passwd':
          await directory.setPassword(address, await password(v));
          ctx.out(`changed the password of ${address}`);
          return;
        case 'disable':
        case 'enable': {
          const a = await directory.setEnabled(address, sub === 'enable');
          ctx.out(`${sub}d ${a.address}`);
          return;
        }
        case 'set': {
          const update: AccountUpdate = {
            receiveLocalOnly: yesNoOption(v['receive-local-only'], '--receive-local-only'),
            webmail: yesNoOption(v.webmail, '--webmail'),
            forwardTo:
              v.forward === undefined ? undefined : v.forward === 'none' ? [] : listOption([v.forward]),
            forwardKeepCopy: yesNoOption(v['keep-copy'], '--keep-copy'),
            quotaBytes: sizeOption(v.quota, '--quota'),
            quotaMessages: countOption(v['quota-messages'], '--quota-messages'),
            role: v.role as Account['role'] | undefined,
            groupId: await groupId(directory, v.group),
            displayName: v.name,
          };
          if (Object.values(update).every((x) => x === undefined))
            throw new OperatorError('nothing to change; see `mailstead help user`');
          const a = await directory.updateAccount(address, update);
          ctx.out(`changed account ${a.address}`);
          return;
        }
        case 'grant':
        case 'revoke':
          await grantOrRevoke(sub, directory, address, v, ctx);
          return;
      }
    });
  },
};
