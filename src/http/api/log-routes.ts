import type { DeliveryResult, LogFilters, StatsSubject, TopSubject } from '../../ops/log/query-types.js';
import { resolveRange } from '../../ops/log/time-expression.js';
import { MessageTrace } from '../../ops/trace/message-trace.js';
import { HttpError } from './errors.js';
import { can } from '../../directory/authorization.js';
import type { Actor } from '../../directory/types.js';
import { requireDomainAccess, requireServerAdmin } from './access.js';
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

/**
 * The selection a caller may read: a server admin any; a domain admin only their own domain's
 * mail (what its accounts sent and what was delivered into them), whatever else they filter by.
 */
function scoped<S extends Selection>(actor: Actor, s: S): S {
  if (can.manageDomains(actor)) return s;
  if (actor.kind === 'account' && actor.account.role === 'domain-admin') {
    const domain = s.domain ?? actor.account.domain;
    requireDomainAccess(actor, domain, `read the delivery log of ${domain}`);
    return { ...s, domain };
  }
  requireServerAdmin(actor, 'read the delivery log');
  return s;
}

/** The delivery log as pages: search, top senders / recipients / deferrals / failures, per-user and per-domain totals, traffic. */
export function logRoutes(ctx: ApiContext) {
  const tracer = new MessageTrace({
    queue: ctx.app.queue.admin,
    log: ctx.logQuery,
    verdicts: ctx.app.scan.store.verdicts,
  });
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
      async handler({ actor, query: asked }) {
        const query = scoped(actor, asked);
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
      async handler({ actor, params, query: asked }) {
        const query = scoped(actor, asked);
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
      async handler({ actor, params, query: asked }) {
        const query = scoped(actor, asked);
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
        const { domain } = scoped<Selection>(actor, { limit: 0 });
        const hour = 3_600_000;
        const end = Math.ceil(Date.now() / hour) * hour;
        const hours = Array.from({ length: query.hours }, (_, i) => {
          const from = end - (query.hours - i) * hour;
          return { from, to: from + hour };
        });
        const local = ctx.logQuery().totals('senders', hours, { flavour: 'local', domain });
        const remote = ctx.logQuery().totals('senders', hours, { flavour: 'remote', domain });
        return hours.map(({ from }, i) => ({ from, in: local[i]!, out: remote[i]! }));
      },
    }),
    route<unknown, Selection & { queueId?: string; messageId?: string }>({
      method: 'GET',
      url: '/trace',
      tag: 'logs',
      summary:
        'Follow a message by queue id, Message-ID, or sender and/or recipient: received, spam verdict with rule hits, each delivery attempt, what still waits',
      querystring: {
        type: 'object',
        properties: {
          queueId: str,
          messageId: str,
          sender: str,
          recipient: str,
          domain: str,
          last: str,
          from: str,
          to: str,
        },
      },
      response: {
        type: 'object',
        properties: {
          messages: arrayOf({ type: 'object', additionalProperties: true }),
          truncated: bool,
        },
        required: ['messages', 'truncated'],
      },
      async handler({ actor, query: asked }) {
        const query = scoped(actor, asked);
        if (!query.queueId && !query.messageId && !query.sender && !query.recipient)
          throw new HttpError(400, 'give a queue id, a Message-ID, a sender or a recipient to trace');
        return tracer.find({
          queueId: query.queueId,
          messageId: query.messageId,
          sender: query.sender,
          recipient: query.recipient,
          domain: query.domain,
          range: resolveRange(
            { last: query.last ?? (query.from ? undefined : '7 days'), from: query.from, to: query.to },
            Date.now(),
          ),
        });
      },
    }),
  ];
}
