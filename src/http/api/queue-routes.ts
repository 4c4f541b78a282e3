import type { QueueFilter, RecipientState } from '../../queue/types.js';
import { requireServerAdmin } from './access.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, bool, input, int, nullable, object, paging, str, strings } from './schemas.js';

const state = { type: 'string', enum: ['queued', 'deferred', 'held', 'delivered', 'bounced'] };
const filterProps = {
  sender: str,
  recipient: str,
  domain: str,
  state,
  minAgeSeconds: { type: 'integer', minimum: 0 },
};
type Filter = {
  sender?: string;
  recipient?: string;
  domain?: string;
  state?: RecipientState;
  minAgeSeconds?: number;
};

function queueFilter(f: Filter): QueueFilter {
  const { minAgeSeconds, ...rest } = f;
  return { ...rest, ...(minAgeSeconds === undefined ? {} : { minAge: minAgeSeconds * 1000 }) };
}

const itemSchema = object({
  queueId: str,
  sender: str,
  recipient: str,
  kind: str,
  domain: str,
  state: str,
  size: int,
  subject: nullable(str),
  queuedAt: str,
  ageSeconds: int,
  attempts: int,
  nextAttempt: nullable(str),
  lastReply: nullable(str),
});
const statsSchema = object({
  local: int,
  remote: int,
  queued: int,
  deferred: int,
  held: int,
  total: int,
  heldAccounts: arrayOf(object({ account: str, reason: str, since: int })),
});
const passThrough = { type: 'object', additionalProperties: true };

/** The queue management API of `mailstead queue`, for server admins: the queue holds everyone's mail. */
export function queueRoutes({ app }: ApiContext) {
  const q = app.queue.admin;
  const admin = (actor: Parameters<typeof requireServerAdmin>[0]) =>
    requireServerAdmin(actor, 'manage the mail queue');
  return [
    route({
      method: 'GET',
      url: '/queue/stats',
      tag: 'queue',
      summary: 'Counts per state and kind, and accounts whose mail is held',
      response: statsSchema,
      async handler({ actor }) {
        admin(actor);
        return q.stats();
      },
    }),
    route<unknown, Filter & { limit: number; offset: number; after?: string }>({
      method: 'GET',
      url: '/queue',
      tag: 'queue',
      summary:
        "Queued recipients, newest first, filtered, a page at a time: pass the previous page's `next` as `after` (fast at any depth), or an offset",
      querystring: { type: 'object', properties: { ...filterProps, ...paging, after: str } },
      response: object({ items: arrayOf(itemSchema), more: bool, next: nullable(str) }),
      async handler({ actor, query }) {
        admin(actor);
        const { limit, offset, after, ...f } = query;
        const page = await q.page({ ...queueFilter(f), limit }, after === undefined ? { offset } : { after });
        return { ...page, more: page.next !== null };
      },
    }),
    route({
      method: 'GET',
      url: '/queue/shape',
      tag: 'queue',
      summary: 'Open recipients by destination domain and age (qshape)',
      querystring: { type: 'object', properties: { state } },
      response: object({
        buckets: strings,
        rows: arrayOf(object({ domain: str, total: int, counts: arrayOf(int) })),
      }),
      async handler({ actor, query }) {
        admin(actor);
        return q.shape(query.state as RecipientState | undefined);
      },
    }),
    route({
      method: 'GET',
      url: '/queue/messages/:queueId',
      tag: 'queue',
      summary: 'One message: envelope, recipients, attempts and headers',
      params: object({ queueId: str }),
      response: passThrough,
      async handler({ actor, params }) {
        admin(actor);
        return q.show(params.queueId!);
      },
    }),
    route<{
      action: 'delete' | 'hold' | 'release' | 'retry' | 'purge';
      queueIds?: string[];
      filter?: Filter;
      account?: string;
    }>({
      method: 'POST',
      url: '/queue/actions',
      tag: 'queue',
      summary:
        'delete (by id), or hold / release / retry / purge by ids or filter; release with account lifts a held account',
      body: input(
        {
          action: { type: 'string', enum: ['delete', 'hold', 'release', 'retry', 'purge'] },
          queueIds: strings,
          filter: input(filterProps),
          account: str,
        },
        ['action'],
      ),
      response: object({ affected: int }),
      async handler({ actor, body }) {
        admin(actor);
        const f = {
          ...queueFilter(body.filter ?? {}),
          ...(body.queueIds ? { queueIds: body.queueIds } : {}),
        };
        const affected = await (async () => {
          switch (body.action) {
            case 'delete':
              return q.delete(body.queueIds ?? []);
            case 'hold':
              return q.hold(f);
            case 'release':
              return q.release({ ...f, ...(body.account ? { account: body.account } : {}) });
            case 'retry':
              return q.retry(f);
            case 'purge':
              return q.purge(f);
          }
        })();
        if (body.action === 'retry' || body.action === 'release') app.queue.manager.wake();
        return { affected };
      },
    }),
    route({
      method: 'POST',
      url: '/queue/process',
      tag: 'queue',
      summary: 'Process the queue now (deliver what is due)',
      async handler({ actor }) {
        admin(actor);
        app.queue.manager.wake();
      },
    }),
    route<{ from: string; to: string }>({
      method: 'POST',
      url: '/queue/test',
      tag: 'queue',
      summary: 'Queue a small test message',
      body: input({ from: { type: 'string', minLength: 3 }, to: { type: 'string', minLength: 3 } }, [
        'from',
        'to',
      ]),
      response: object({ queueId: str }),
      async handler({ actor, body }) {
        admin(actor);
        return { queueId: await q.sendTest(body.from, body.to, app.config.get<string>('server.hostname')) };
      },
    }),
  ];
}
