import { openApp } from '../app.js';
import { OperatorError } from '../core/errors.js';
import { parseDuration } from '../core/size.js';
import type { QueueFilter, RecipientState } from '../store/queue/queue-repo.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';

const STATES = ['queued', 'deferred', 'held', 'delivered', 'bounced'];
const FILTER_OPTIONS = {
  sender: { type: 'string' },
  recipient: { type: 'string' },
  domain: { type: 'string' },
  state: { type: 'string' },
  age: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  account: { type: 'string' },
  from: { type: 'string' },
} as const;

function filterOf(v: Record<string, string | boolean | undefined>, ids: string[]): QueueFilter {
  const f: QueueFilter = {};
  if (typeof v.sender === 'string') f.sender = v.sender;
  if (typeof v.recipient === 'string') f.recipient = v.recipient;
  if (typeof v.domain === 'string') f.domain = v.domain;
  if (typeof v.state === 'string') {
    if (!STATES.includes(v.state)) throw new OperatorError(`--state must be one of ${STATES.join(', ')}`);
    f.state = v.state as RecipientState;
  }
  if (typeof v.age === 'string') {
    const ms = parseDuration(v.age);
    if (ms === undefined) throw new OperatorError(`--age "${v.age}" is not a duration (e.g. 30m, 2h, 1d)`);
    f.minAge = ms;
  }
  if (typeof v.limit === 'string') f.limit = Number(v.limit);
  if (ids.length) f.queueIds = ids;
  return f;
}

function requireSelection(f: QueueFilter, all: boolean, verb: string): void {
  const selective = f.sender || f.recipient || f.domain || f.state || f.minAge || f.queueIds?.length;
  if (!selective && !all)
    throw new OperatorError(
      `${verb} needs queue ids, a filter (--sender, --recipient, --domain, --state, --age) or --all`,
    );
}

export const queueCommand: CommandGroup = {
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseOptions(rest, FILTER_OPTIONS);
    const f = filterOf(values, positionals);
    const app = await openApp(ctx.dataDir);
    const q = app.queue.admin;
    try {
      switch (sub) {
        case 'list':
          printTable(
            ctx,
            (await q.list(f)) as unknown as Record<string, unknown>[],
            ctx.json
              ? undefined
              : [
                  'queueId',
                  'state',
                  'kind',
                  'sender',
                  'recipient',
                  'size',
                  'ageSeconds',
                  'attempts',
                  'lastReply',
                ],
          );
          return;
        case 'show': {
          const d = await q.show(requireArg(positionals[0], 'QUEUE_ID'));
          if (ctx.json) return void ctx.out(JSON.stringify(d, null, 2));
          printRecord(ctx, {
            queueId: d.message.id,
            sender: d.message.sender,
            size: d.message.size,
            queuedAt: new Date(d.message.receivedAt).toISOString(),
            client: d.message.clientIp,
            authUser: d.message.authUser,
          });
          ctx.out('');
          printTable(ctx, d.recipients as unknown as Record<string, unknown>[], [
            'recipient',
            'kind',
            'state',
            'attempts',
            'lastReply',
          ]);
          ctx.out('');
          for (const a of d.attempts)
            ctx.out(`${new Date(a.time).toISOString()} ${a.recipient} ${a.result}: ${a.reply}`);
          ctx.out('');
          ctx.out(d.headers);
          return;
        }
        case 'delete':
          requireSelection(f, values.all === true, 'delete');
          return void ctx.out(
            ctx.json
              ? JSON.stringify({ deleted: await q.purge(f) })
              : `deleted ${await q.purge(f)} message(s)`,
          );
        case 'purge': {
          const n = await q.purge(f);
          return void ctx.out(
            ctx.json
              ? JSON.stringify({ purged: n })
              : `purged ${n} message(s); purging deletes mail without delivering it`,
          );
        }
        case 'hold':
          requireSelection(f, values.all === true, 'hold');
          return void ctx.out(
            ctx.json ? JSON.stringify({ held: await q.hold(f) }) : `held ${await q.hold(f)} recipient(s)`,
          );
        case 'release': {
          if (typeof values.account !== 'string') requireSelection(f, values.all === true, 'release');
          const n = await q.release({
            ...f,
            ...(typeof values.account === 'string' ? { account: values.account } : {}),
          });
          return void ctx.out(ctx.json ? JSON.stringify({ released: n }) : `released ${n} recipient(s)`);
        }
        case 'retry': {
          const n = await q.retry(f);
          return void ctx.out(
            ctx.json
              ? JSON.stringify({ retried: n })
              : `${n} recipient(s) due now; the running server delivers them within a second`,
          );
        }
        case 'stats':
          return void printRecord(ctx, (await q.stats()) as unknown as Record<string, unknown>);
        case 'shape': {
          const sh = await q.shape(f.state);
          if (ctx.json) return void ctx.out(JSON.stringify(sh, null, 2));
          printTable(
            ctx,
            sh.rows.map((r) => ({
              domain: r.domain,
              total: r.total,
              ...Object.fromEntries(sh.buckets.map((b, i) => [b, r.counts[i]])),
            })),
          );
          return;
        }
        case 'test': {
          const from =
            typeof values.from === 'string'
              ? values.from
              : `postmaster@${app.config.get<string>('server.hostname')}`;
          const id = await q.sendTest(
            from,
            requireArg(positionals[0], 'RECIPIENT'),
            app.config.get<string>('server.hostname'),
          );
          return void ctx.out(
            ctx.json ? JSON.stringify({ queueId: id }) : `queued as ${id}; the running server delivers it`,
          );
        }
        default:
          throw new OperatorError(
            `unknown subcommand "${sub ?? ''}"; use list, show, delete, hold, release, retry, purge, stats, shape or test`,
          );
      }
    } finally {
      await app.close();
    }
  },
};
