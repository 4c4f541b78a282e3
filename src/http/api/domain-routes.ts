import type { DomainInput, DomainUpdate } from '../../directory/types.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import {
  arrayOf,
  domainSchema,
  domainUsageSchema,
  input,
  int,
  nameParam,
  nullable,
  object,
  str,
} from './schemas.js';

const limits = {
  maxAccounts: nullable(int),
  maxAliases: nullable(int),
  maxStorage: nullable(int),
  catchAll: nullable(str),
};

export function domainRoutes({ app }: ApiContext) {
  const d = app.directory;
  return [
    route({
      method: 'GET',
      url: '/domains',
      tag: 'domains',
      summary: 'Domains the caller may see, each with its usage against its limits',
      response: arrayOf(object({ domain: domainSchema, usage: domainUsageSchema })),
      handler: ({ actor }) => d.listDomainsWithUsage(actor),
    }),
    route<DomainInput>({
      method: 'POST',
      url: '/domains',
      tag: 'domains',
      summary: 'Add a domain (or a domain alias with aliasOf)',
      body: input(
        { name: { type: 'string', minLength: 1, maxLength: 253 }, aliasOf: nullable(str), ...limits },
        ['name'],
      ),
      response: domainSchema,
      handler: ({ actor, body }) => d.addDomain(body, actor),
    }),
    route({
      method: 'GET',
      url: '/domains/:name',
      tag: 'domains',
      summary: 'One domain with its usage',
      params: nameParam,
      response: object({
        domain: domainSchema,
        usage: domainUsageSchema,
        aliases: { type: 'array', items: str },
      }),
      async handler({ actor, params }) {
        const domain = await d.getDomain(params.name!, actor);
        return {
          domain,
          usage: await d.domainUsage(domain.name, actor),
          aliases: await d.domainAliases(domain.name),
        };
      },
    }),
    route<DomainUpdate>({
      method: 'PATCH',
      url: '/domains/:name',
      tag: 'domains',
      summary: 'Change hosting limits or the catch-all address',
      params: nameParam,
      body: input(limits),
      response: domainSchema,
      handler: ({ actor, params, body }) => d.updateDomain(params.name!, body, actor),
    }),
    route({
      method: 'DELETE',
      url: '/domains/:name',
      tag: 'domains',
      summary: 'Remove a domain (refused while it has accounts or aliases)',
      params: nameParam,
      async handler({ actor, params }) {
        await d.removeDomain(params.name!, actor);
      },
    }),
  ];
}
