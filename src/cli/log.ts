import { Config } from '../config/config.js';
import { OperatorError } from '../core/errors.js';
import type { DeliveryRecord } from '../log/delivery-record.js';
import { DeliveryLogQuery } from '../ops/log/delivery-log-query.js';
import type {
  AnswerMeta,
  DeliveryResult,
  Flavour,
  LogFilters,
  StatsSubject,
  TopSubject,
} from '../ops/log/query-types.js';
import { resolveRange } from '../ops/log/time-expression.js';
import { type CliContext, type CommandGroup, parseOptions, printTable } from './command.js';

const OPTIONS = {
  last: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  sender: { type: 'string' },
  recipient: { type: 'string' },
  user: { type: 'string' },
  domain: { type: 'string' },
  webmail: { type: 'boolean' },
  local: { type: 'boolean' },
  remote: { type: 'boolean' },
  sort: { type: 'string' },
  desc: { type: 'boolean' },
  limit: { type: 'string' },
  successes: { type: 'boolean' },
  failures: { type: 'boolean' },
  deferrals: { type: 'boolean' },
  senders: { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

function filtersOf(v: Values): LogFilters {
  if (v.local && v.remote) throw new OperatorError('give --local or --remote, not both (neither means both)');
  const flavour: Flavour = v.local ? 'local' : v.remote ? 'remote' : 'both';
  return {
    sender: v.sender,
    recipient: v.recipient,
    user: v.user,
    domain: v.domain,
    webmailOnly: v.webmail,
    flavour,
  };
}

function limitOf(v: Values, fallback: number): number {
  if (v.limit === undefined) return fallback;
  if (!/^\d+$/.test(v.limit)) throw new OperatorError(`--limit "${v.limit}" is not a number (0 for all)`);
  return Number(v.limit);
}

function resultOf(v: Values): DeliveryResult | undefined {
  const picked = (['successes', 'failures', 'deferrals'] as const).filter((k) => v[k]);
  if (picked.length > 1) throw new OperatorError('give one of --successes, --failures, --deferrals');
  return ({ successes: 'success', failures: 'failure', deferrals: 'deferral' } as const)[picked[0]!];
}

function header(ctx: CliContext, meta: AnswerMeta): void {
  if (meta.warning) ctx.err(meta.warning);
  ctx.err(`${new Date(meta.range.from).toISOString()} .. ${new Date(meta.range.to).toISOString()}`);
}

function showRows(records: DeliveryRecord[], withSenders: boolean): Record<string, unknown>[] {
  return records.map((r) => ({
    time: r.time,
    result: r.result,
    kind: r.kind,
    ...(withSenders ? { sender: r.sender || '<>' } : {}),
    recipient: r.recipient,
    reply: r.reply,
  }));
}

export const logCommand: CommandGroup = {
  async run(args, ctx) {
    const { values: v, positionals } = parseOptions(args, OPTIONS);
    const [sub, subject] = positionals;
    const config = Config.open(ctx.dataDir);
    const q = DeliveryLogQuery.open(config);
    try {
      const now = Date.now();
      const range = () => resolveRange({ last: v.last, from: v.from, to: v.to }, now);
      const order = () => ({ sort: v.sort, descending: v.desc, limit: limitOf(v, 50) });
      switch (sub) {
        case 'show': {
          const listing = q.show({
            range: range(),
            filters: filtersOf(v),
            result: resultOf(v),
            limit: limitOf(v, 1000),
          });
          const rows = showRows(listing.records, v.senders ?? false);
          if (v.sort) {
            const cols = Object.keys(rows[0] ?? { time: 0, result: 0, kind: 0, recipient: 0, reply: 0 });
            if (!cols.includes(v.sort))
              throw new OperatorError(`cannot sort by "${v.sort}"; the columns are ${cols.join(', ')}`);
            const key = v.sort;
            rows.sort((a, b) => (v.desc ? -1 : 1) * String(a[key]).localeCompare(String(b[key])));
          }
          if (ctx.json) {
            ctx.out(JSON.stringify(listing, null, 2));
            return;
          }
          header(ctx, listing);
          printTable(ctx, rows);
          if (listing.truncated) ctx.err(`(stopped at ${rows.length}; use --limit N, or --limit 0 for all)`);
          return;
        }
        case 'top':
        case 'stats': {
          const valid =
            sub === 'top' ? ['senders', 'recipients', 'deferrals', 'failures'] : ['users', 'domains'];
          if (!subject || !valid.includes(subject))
            throw new OperatorError(`log ${sub} needs one of ${valid.join(', ')}`);
          const query = { range: range(), filters: filtersOf(v), ...order() };
          const table =
            sub === 'top' ? q.top(subject as TopSubject, query) : q.stats(subject as StatsSubject, query);
          if (ctx.json) {
            ctx.out(JSON.stringify(table, null, 2));
            return;
          }
          header(ctx, table);
          printTable(ctx, table.rows, table.columns);
          return;
        }
        case 'rotate': {
          const r = q.maintain(
            config.get<number>('log.delivery_rotate_size'),
            config.get<number>('log.delivery_retention'),
            v.force,
          );
          if (ctx.json) {
            ctx.out(JSON.stringify(r));
            return;
          }
          ctx.out(
            r.rotated
              ? `rotated to ${r.rotated}`
              : 'not rotated (under log.delivery_rotate_size; --force rotates anyway)',
          );
          for (const f of r.removed) ctx.out(`removed ${f} (older than log.delivery_retention)`);
          return;
        }
        case 'index': {
          const started = Date.now();
          const u = q.refresh();
          const took = (Date.now() - started) / 1000;
          if (ctx.json) {
            ctx.out(JSON.stringify({ ...u, seconds: took }));
            return;
          }
          ctx.out(
            `indexed ${u.lines} lines (${u.bytes} bytes, ${u.skipped} unreadable) in ${took.toFixed(1)} s`,
          );
          return;
        }
        default:
          throw new OperatorError(`unknown subcommand "${sub ?? ''}"; use show, top, stats, rotate or index`);
      }
    } finally {
      q.close();
      config.close();
    }
  },
};
