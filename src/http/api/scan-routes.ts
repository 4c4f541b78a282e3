import { NotFoundError } from '../../core/errors.js';
import { requireServerAdmin } from './access.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, bool, int, nullable, object, str, strings } from './schemas.js';

const counts = { type: 'object', additionalProperties: { type: 'integer' } };
const passThrough = { type: 'object', additionalProperties: true };

/** The antivirus page (clamd's state, the quarantine) and the dashboard's scan counts. */
export function scanRoutes({ app }: ApiContext) {
  const admin = (actor: Parameters<typeof requireServerAdmin>[0], what: string) =>
    requireServerAdmin(actor, what);
  return [
    route({
      method: 'GET',
      url: '/antivirus',
      tag: 'antivirus',
      summary:
        "clamd's address and state (engine, signature database version and date, threads, queue, memory) and the virus settings in force",
      response: object({
        clamd: passThrough,
        scanning: bool,
        failOpen: bool,
        quarantine: bool,
        maxPartSize: int,
        timeoutMs: int,
      }),
      async handler({ actor }) {
        admin(actor, 'see the antivirus status');
        const c = app.config;
        const clamd = await app.scan.virus.status();
        return {
          clamd,
          scanning: clamd.address !== null,
          failOpen: c.get<boolean>('antivirus.fail_open'),
          quarantine: c.get<boolean>('antivirus.quarantine'),
          maxPartSize: c.get<number>('antivirus.max_part_size'),
          timeoutMs: c.get<number>('antivirus.timeout'),
        };
      },
    }),
    route({
      method: 'GET',
      url: '/antivirus/quarantine',
      tag: 'antivirus',
      summary: 'Infected messages kept in quarantine, newest first',
      response: arrayOf(
        object({
          id: str,
          virus: str,
          sender: str,
          recipients: strings,
          clientIp: nullable(str),
          size: int,
          createdAt: int,
        }),
      ),
      async handler({ actor }) {
        admin(actor, 'see the virus quarantine');
        return (await app.scan.store.quarantine.list()).map(({ blobHash: _, ...e }) => e);
      },
    }),
    route({
      method: 'DELETE',
      url: '/antivirus/quarantine/:id',
      tag: 'antivirus',
      summary: 'Delete a quarantined message',
      params: object({ id: str }),
      async handler({ actor, params }) {
        admin(actor, 'delete from the virus quarantine');
        if (!(await app.scan.store.quarantine.remove(params.id!)))
          throw new NotFoundError(`quarantined message ${params.id}`);
      },
    }),
    route<unknown, { hours: number }>({
      method: 'GET',
      url: '/scan/activity',
      tag: 'antivirus',
      summary:
        'Messages per hour through the spam stage (accept, tag, reject, …) and the virus stage (clean, infected, …), for the dashboard',
      querystring: {
        type: 'object',
        properties: { hours: { type: 'integer', minimum: 1, maximum: 24 * 31, default: 24 } },
      },
      response: arrayOf(object({ from: int, spam: counts, virus: counts })),
      async handler({ actor, query }) {
        admin(actor, 'see scan statistics');
        return app.scan.counts.series(query.hours);
      },
    }),
  ];
}
