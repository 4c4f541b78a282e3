import { dnsRecord, type DkimAlgorithm } from '../../dkim/dkim-service.js';
import { requireDomainAccess, requireServerAdmin } from './access.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, bool, input, int, object, str } from './schemas.js';

const keySchema = object({
  domain: str,
  selector: str,
  algorithm: str,
  active: bool,
  createdAt: int,
  record: object({ name: str, value: str }),
});

const serviceSchema = object({
  service: str,
  key: str,
  state: { type: 'string', enum: ['running', 'stopped'] },
  addresses: arrayOf(str),
  connections: int,
  controllable: bool,
});

/** Listener status for the dashboard, and DKIM keys (a domain admin manages their own domain's). */
export function statusRoutes(ctx: ApiContext) {
  const { app } = ctx;
  return [
    route({
      method: 'GET',
      url: '/status',
      tag: 'status',
      summary: 'Each service with its state, addresses and open connections',
      response: object({
        services: arrayOf(serviceSchema),
        uptimeSeconds: int,
      }),
      async handler({ actor }) {
        requireServerAdmin(actor, 'see the service status');
        return { services: ctx.services().status(), uptimeSeconds: Math.round(process.uptime()) };
      },
    }),
    route({
      method: 'POST',
      url: '/services/:name/:action',
      tag: 'status',
      summary:
        'Start, stop or restart one service: stop closes its ports and ends its sessions; start binds the addresses configured now',
      params: object({ name: str, action: { type: 'string', enum: ['start', 'stop', 'restart'] } }),
      response: serviceSchema,
      async handler({ actor, params }) {
        requireServerAdmin(actor, `${params.action} the ${params.name} service`);
        const control = ctx.services();
        const name = params.name!;
        return params.action === 'start'
          ? control.start(name)
          : params.action === 'stop'
            ? control.stop(name)
            : control.restart(name);
      },
    }),
    route<unknown, { domain?: string }>({
      method: 'GET',
      url: '/dkim',
      tag: 'dkim',
      summary: 'DKIM keys (of one domain, or all for server admins) with the DNS record each needs',
      querystring: { type: 'object', properties: { domain: str } },
      response: arrayOf(keySchema),
      async handler({ actor, query }) {
        if (query.domain) requireDomainAccess(actor, query.domain, `see DKIM keys of ${query.domain}`);
        else requireServerAdmin(actor, 'see all DKIM keys');
        return (await app.dkim.list(query.domain)).map((k) => ({
          domain: k.domain,
          selector: k.selector,
          algorithm: k.algorithm,
          active: k.active,
          createdAt: k.createdAt,
          record: dnsRecord(k),
        }));
      },
    }),
    route<{ domain: string; selector?: string; algorithm?: DkimAlgorithm }>({
      method: 'POST',
      url: '/dkim',
      tag: 'dkim',
      summary:
        'Generate a signing key for a domain; it signs from now on. Returns the DNS TXT record to publish',
      body: input({ domain: str, selector: str, algorithm: { type: 'string', enum: ['rsa', 'ed25519'] } }, [
        'domain',
      ]),
      response: keySchema,
      async handler({ actor, body }) {
        const domain = await app.directory.getDomain(body.domain, actor);
        requireDomainAccess(actor, domain.name, `generate DKIM keys for ${domain.name}`);
        const k = await app.dkim.generate(domain.name, {
          ...(body.selector ? { selector: body.selector } : {}),
          ...(body.algorithm ? { algorithm: body.algorithm } : {}),
        });
        return {
          domain: k.domain,
          selector: k.selector,
          algorithm: k.algorithm,
          active: k.active,
          createdAt: k.createdAt,
          record: dnsRecord(k),
        };
      },
    }),
  ];
}
