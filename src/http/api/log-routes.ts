import type { DeliveryResult, LogFilters, StatsSubject, TopSubject } from '../../ops/log/query-types.js';
import { resolveRange } from '../../ops/log/time-expression.js';
import { requireServerAdmin } from './access.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, bool, int, object, str } from './schemas.js';

const selection = {
  last: str,
  from: str,
  to: str,
  sender: str,
  recipient: str,
  user: str,
  domain: str,
  webmail: bool,
  flavour: { type: 'string', enum: ['local', 'remote', 'both'] },
  limit: { type: 'integer', minimum: 0, maximum: 10000, default: 100 },
};
type Selection = {
  last?: string;
  from?: string;
  to?: string;
  sender?: string;
  recipient?: string;
  user?: string;
  domain?: string;
  webmail?: boolean;
  flavour?: LogFilters['flavour'];
  limit: number;
};

function filters(s: Selection): LogFilters {
  return {
    sender: s.sender,
    recipient: s.recipient,
    user: s.user,
    domain: s.domain,
    webmailOnly: s.webmail,
    flavour: s.flavour ?? 'both',
  };
}
const range = (s: Selection) => resolveRange({ last: s.last, from: s.from, to: s.to }, Date.now());

const rangeSchema = object({ from: int, to: int });
const tableSchema = {
  type: 'object',
  properties: {
    range: rangeSchema,
    warning: str,
    columns: arrayOf(str),
    rows: arrayOf({ type: 'object', additionalProperties: true }),
  },
  required: ['range', 'columns', 'rows'],
};

/** The delivery log as pages: search, top senders / recipients / deferrals / failures, per-user and per-domain totals, traffic. */
export function logRoutes(ctx: ApiContext) {
  const admin = (actor: Parameters<typeof requireServerAdmin>[0]) =>
    requireServerAdmin(actor, 'read the delivery log');
  return [
    route<unknown, Selection & { result?: DeliveryResult }>({
      method: 'GET',
      url: '/logs/deliveries',
      tag: 'logs',
      summary: 'Delivery attempts in a time range (last, or from/to), filtered, oldest first',
      querystring: {
        type: 'object',
        properties: { ...selection, result: { type: 'string', enum: ['success', 'failure', 'deferral'] } },
      },
      response: {
        type: 'object',
        properties: {
          range: rangeSchema,
          warning: str,
          truncated: bool,
          records: arrayOf({ type: 'object', additionalProperties: true }),
        },
        required: ['range', 'records', 'truncated'],
      },
      async handler({ actor, query }) {
        admin(actor);
        return ctx.logQuery().show({
          range: range(query),
          filters: filters(query),
          limit: query.limit,
          ...(query.result ? { result: query.result } : {}),
        });
      },
    }),
    route<unknown, Selection>({
      method: 'GET',
      url: '/logs/top/:subject',
      tag: 'logs',
      summary: 'Top senders, recipients, deferrals or failures',
      params: object({
        subject: { type: 'string', enum: ['senders', 'recipients', 'deferrals', 'failures'] },
      }),
      querystring: { type: 'object', properties: selection },
      response: tableSchema,
      async handler({ actor, params, query }) {
        admin(actor);
        return ctx.logQuery().top(params.subject as TopSubject, {
          range: range(query),
          filters: filters(query),
          limit: query.limit,
        });
      },
    }),
    route<unknown, Selection>({
      method: 'GET',
      url: '/logs/stats/:subject',
      tag: 'logs',
      summary: 'Totals per user or per domain',
      params: object({ subject: { type: 'string', enum: ['users', 'domains'] } }),
      querystring: { type: 'object', properties: selection },
      response: tableSchema,
      async handler({ actor, params, query }) {
        admin(actor);
        return ctx.logQuery().stats(params.subject as StatsSubject, {
          range: range(query),
          filters: filters(query),
          limit: query.limit,
        });
      },
    }),
    route<unknown, { hours: number }>({
      method: 'GET',
      url: '/logs/traffic',
      tag: 'logs',
      summary: 'Messages delivered here (in) and to other servers (out) per hour, for the dashboard graph',
      querystring: {
        type: 'object',
        properties: { hours: { type: 'integer', minimum: 1, maximum: 168, default: 24 } },
      },
      response: arrayOf(object({ from: int, in: int, out: int })),
      async handler({ actor, query }) {
        admin(actor);
        const hour = 3_600_000;
        const end = Math.ceil(Date.now() / hour) * hour;
        const total = (flavour: 'local' | 'remote', from: number) =>
          ctx
            .logQuery()
            .top('senders', { range: { from, to: from + hour }, filters: { flavour }, limit: 0 })
            .rows.reduce((n, r) => n + Number(r.total ?? 0), 0);
        const out = [];
        for (let from = end - query.hours * hour; from < end; from += hour)
          out.push({ from, in: total('local', from), out: total('remote', from) });
        return out;
      },
    }),
  ];
}
