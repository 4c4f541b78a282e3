import type { App } from '../app.js';
import { NotFoundError, OperatorError } from '../core/errors.js';
import { parseFolderType } from '../mailbox/folder-types.js';
import { SHARED } from '../mailbox/folder-names.js';
import { SYSTEM_ACTOR, type MailboxActor, type SpecialUse } from '../mailbox/types.js';
import {
  type CliContext,
  type CommandGroup,
  parseOptions,
  printRecord,
  printTable,
  requireArg,
} from './command.js';
import { countOption, formatBytes, sizeOption, subcommand, withApp } from './directory-cli.js';

/** USER is an account address, or `-` for the system (public `Shared/…` folders). */
async function actor(app: App, user: string): Promise<MailboxActor> {
  if (user === '-') return SYSTEM_ACTOR;
  const account = await app.directory.getAccount(user);
  if (!account) throw new NotFoundError(`account ${user}`);
  return app.mailbox.actorFor(account.id);
}

function folderType(text: string | undefined) {
  if (text === undefined) return undefined;
  const t = parseFolderType(text);
  if (!t)
    throw new OperatorError(
      `--type: "${text}" is not one of mail, calendar, contacts, journal, notes, tasks`,
    );
  return t;
}

const limit = (v: number | null) => (v === null ? 'unlimited' : String(v));

async function run(app: App, args: string[], ctx: CliContext): Promise<void> {
  const [sub, ...rest] = args;
  const m = app.mailbox;
  switch (subcommand(sub, ['list', 'create', 'delete', 'rename', 'acl', 'quota', 'share', 'reconstruct'])) {
    case 'list': {
      const who = await actor(app, requireArg(rest[0], 'USER'));
      const rows = [];
      for (const f of await m.folders.list(who)) {
        const st = await m.folders.status(who, { id: f.id });
        rows.push({
          folder: f.name,
          type: f.type,
          special: f.specialUse,
          messages: st.messages,
          unseen: st.unseen,
          size: formatBytes(st.size),
          rights: f.rights,
        });
      }
      printTable(ctx, rows);
      return;
    }
    case 'create': {
      const { values, positionals } = parseOptions(rest, {
        type: { type: 'string' },
        'special-use': { type: 'string' },
      });
      const who = await actor(app, requireArg(positionals[0], 'USER'));
      const f = await m.folders.create(who, requireArg(positionals[1], 'FOLDER'), {
        type: folderType(values.type),
        specialUse: (values['special-use'] as SpecialUse | undefined) ?? null,
      });
      ctx.out(`created ${f.name}`);
      return;
    }
    case 'delete':
      await m.folders.delete(await actor(app, requireArg(rest[0], 'USER')), requireArg(rest[1], 'FOLDER'));
      ctx.out(`deleted ${rest[1]}`);
      return;
    case 'rename':
      await m.folders.rename(
        await actor(app, requireArg(rest[0], 'USER')),
        requireArg(rest[1], 'FROM'),
        requireArg(rest[2], 'TO'),
      );
      ctx.out(`renamed ${rest[1]} to ${rest[2]}`);
      return;
    case 'acl': {
      const [op, user, folder, ident, rights] = rest;
      const who = await actor(app, requireArg(user, 'USER'));
      const name = requireArg(folder, 'FOLDER');
      switch (subcommand(op, ['get', 'set', 'delete'])) {
        case 'get':
          printTable(
            ctx,
            (await m.acl.get(who, name)).map((e) => ({ ...e })),
            ['identifier', 'rights'],
          );
          return;
        case 'set':
          ctx.out(
            `${requireArg(ident, 'IDENTIFIER')}: ${(await m.acl.set(who, name, ident!, requireArg(rights, 'RIGHTS'))) || '(none)'}`,
          );
          return;
        case 'delete':
          await m.acl.delete(who, name, requireArg(ident, 'IDENTIFIER'));
          ctx.out(`removed ${ident} from ${name}`);
          return;
      }
      return;
    }
    case 'quota': {
      const [op, ...more] = rest;
      const { values, positionals } = parseOptions(more, {
        storage: { type: 'string' },
        messages: { type: 'string' },
        folder: { type: 'string' },
      });
      const who = await actor(app, requireArg(positionals[0], 'USER'));
      if (subcommand(op, ['get', 'set']) === 'set') {
        const current = values.folder
          ? await m.quota.get(who, values.folder)
          : await m.quotaStatus(who.accountId);
        const bytes = sizeOption(values.storage, '--storage');
        const messages = countOption(values.messages, '--messages');
        const limits = {
          bytes: bytes === undefined ? current.maxBytes : bytes,
          messages: messages === undefined ? current.maxMessages : messages,
        };
        // An account quota is the administrator's; a folder quota is set as the folder's owner.
        await m.quota.set(
          values.folder ? who : SYSTEM_ACTOR,
          values.folder ? { folder: values.folder } : { accountId: who.accountId },
          limits,
        );
      }
      const q = values.folder ? await m.quota.get(who, values.folder) : await m.quotaStatus(who.accountId);
      printRecord(ctx, {
        storage: `${formatBytes(q.usedBytes)} of ${q.maxBytes === null ? 'unlimited' : formatBytes(q.maxBytes)}`,
        messages: `${q.usedMessages} of ${limit(q.maxMessages)}`,
      });
      return;
    }
    case 'share': {
      const { values, positionals } = parseOptions(rest, {
        type: { type: 'string' },
        rights: { type: 'string', multiple: true },
      });
      const name = `${SHARED}/${requireArg(positionals[0], 'NAME')}`;
      await m.folders.create(SYSTEM_ACTOR, name, { type: folderType(values.type) ?? 'mail' });
      for (const grant of values.rights ?? ['anyone=lrs']) {
        const eq = grant.lastIndexOf('=');
        if (eq <= 0) throw new OperatorError(`--rights: "${grant}" is not IDENTIFIER=RIGHTS`);
        await m.acl.set(SYSTEM_ACTOR, name, grant.slice(0, eq), grant.slice(eq + 1));
      }
      ctx.out(`created ${name}`);
      return;
    }
    case 'reconstruct': {
      const who = await actor(app, requireArg(rest[0], 'USER'));
      const report = await m.reconstruct(who.accountId, rest[1]);
      printTable(
        ctx,
        report.map((r) => ({
          folder: r.folder,
          messages: r.messages,
          size: formatBytes(r.bytes),
          fixed: r.fixed.join('; ') || 'ok',
          missing: r.missingBlobs.join(',') || '-',
          reindexed: r.reindexed,
        })),
      );
      return;
    }
  }
}

export const mailboxCommand: CommandGroup = {
  run: (args, ctx) => withApp(ctx, (app) => run(app, args, ctx)),
};
