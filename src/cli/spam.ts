import { openApp, type App } from '../app.js';
import { OperatorError } from '../core/errors.js';
import { checkMessage, lintLocalRules } from '../scan/spam-tools.js';
import type { SenderList } from '../store/spam/prefs-repo.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';
import { readMessageInput } from './read-input.js';

async function accountId(app: App, address: string): Promise<number> {
  const a = await app.directory.getAccount(address);
  if (!a) throw new OperatorError(`no account ${address}`);
  return a.id;
}

export const spamCommand: CommandGroup = {
  async run(args, ctx) {
    const { values, positionals } = parseOptions(args, {
      user: { type: 'string' },
      stock: { type: 'boolean' },
      spam: { type: 'boolean' },
      ham: { type: 'boolean' },
      global: { type: 'boolean' },
      'required-score': { type: 'string' },
      allow: { type: 'string' },
      block: { type: 'string' },
      unallow: { type: 'string' },
      unblock: { type: 'string' },
    });
    const [sub, a1, a2] = positionals;
    const app = await openApp(ctx.dataDir);
    try {
      switch (sub) {
        case 'check': {
          const owner = values.user ? app.scan.learner.owner(await accountId(app, values.user)) : '';
          const { result, text } = await checkMessage(
            app.config,
            app.scan.store,
            await readMessageInput(a1),
            owner,
            values.stock || undefined,
          );
          if (ctx.json)
            printRecord(ctx, {
              score: result.score,
              required: result.required,
              spam: result.isSpam,
              hits: result.hits,
            });
          else ctx.out(text);
          return result.isSpam ? 1 : 0;
        }
        case 'lint': {
          const msgs = lintLocalRules(app.config, values.stock || undefined);
          if (ctx.json) ctx.out(JSON.stringify(msgs, null, 2));
          else for (const m of msgs) ctx.out(`${m.file}:${m.line}: ${m.severity}: ${m.message}`);
          return msgs.some((m) => m.severity === 'error') ? 1 : 0;
        }
        case 'learn': {
          if (!!values.spam === !!values.ham) throw new OperatorError('give exactly one of --spam or --ham');
          const [user, file] = values.global ? [undefined, a1] : [requireArg(a1, 'USER'), a2];
          const id = user === undefined ? undefined : await accountId(app, user);
          const r = await app.scan.learner.learn(
            await readMessageInput(file),
            values.spam ? 'spam' : 'ham',
            id,
          );
          ctx.out(
            r === 'already'
              ? 'already learned as that; nothing changed'
              : r === 'relearned'
                ? 'learned (moved over from the other class)'
                : 'learned',
          );
          return;
        }
        case 'train': {
          const accounts = a1
            ? [
                (await app.directory.getAccount(a1)) ??
                  (() => {
                    throw new OperatorError(`no account ${a1}`);
                  })(),
              ]
            : await app.directory.listAccounts();
          const rows = [];
          for (const acc of accounts) rows.push(await app.scan.trainer.run(acc));
          printTable(ctx, rows as unknown as Record<string, unknown>[]);
          return;
        }
        case 'prefs': {
          const id = await accountId(app, requireArg(a1, 'USER'));
          const prefs = app.scan.store.prefs;
          const rs = values['required-score'];
          if (rs !== undefined) {
            if (rs !== 'default' && !/^-?\d+(\.\d+)?$/.test(rs))
              throw new OperatorError(`--required-score must be a number or "default", not "${rs}"`);
            await prefs.setRequiredScore(id, rs === 'default' ? null : Number(rs));
          }
          const edits: [string | undefined, SenderList, boolean][] = [
            [values.allow, 'allow', true],
            [values.block, 'block', true],
            [values.unallow, 'allow', false],
            [values.unblock, 'block', false],
          ];
          for (const [pattern, list, add] of edits)
            if (pattern)
              await (add ? prefs.addToList(id, list, pattern) : prefs.removeFromList(id, list, pattern));
          const p = await prefs.get(id);
          printRecord(ctx, {
            user: a1,
            required_score: p.requiredScore ?? `${app.config.get<number>('spam.required_score')} (default)`,
            allow: p.allow,
            block: p.block,
          });
          return;
        }
        case 'why': {
          const v = await app.scan.store.verdicts.get(requireArg(a1, 'QUEUEID'));
          if (!v)
            throw new OperatorError(
              `no spam verdict for ${a1} (not scanned, or older than spam.verdict_retention)`,
            );
          if (ctx.json) return void ctx.out(JSON.stringify(v, null, 2));
          ctx.out(
            `${v.queueId}: score ${v.score.toFixed(1)} (required ${v.required.toFixed(1)}), ${v.action}${v.messageId ? `, ${v.messageId}` : ''}`,
          );
          for (const h of [...v.hits].sort((x, y) => y.score - x.score))
            ctx.out(`${h.score.toFixed(1).padStart(6)}  ${h.name.padEnd(24)} ${h.description}`);
          return;
        }
        case 'status':
          printTable(
            ctx,
            (await app.scan.store.bayes.summary()).map((r) => ({
              database: r.owner === '' ? 'global' : `account ${r.owner}`,
              spam: r.spam,
              ham: r.ham,
              tokens: r.tokens,
            })),
          );
          return;
        default:
          throw new OperatorError(
            `unknown subcommand "${sub ?? ''}"; use check, lint, learn, train, prefs, why or status`,
          );
      }
    } finally {
      await app.close();
    }
  },
};
