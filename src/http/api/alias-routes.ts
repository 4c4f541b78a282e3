import type { AliasInput, AliasUpdate } from '../../directory/types.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { addressParam, aliasSchema, arrayOf, bool, input, str, strings } from './schemas.js';

const policy = { owners: strings, restricted: bool, allowedSenders: strings, membersMaySend: bool };
const membersBody = input({ members: { ...strings, minItems: 1 } }, ['members']);

/** Aliases: the SCOoffice "Create Alias" form — members, owners, open or restricted. */
export function aliasRoutes({ app }: ApiContext) {
  const d = app.directory;
  return [
    route<unknown, { domain?: string }>({
      method: 'GET',
      url: '/aliases',
      tag: 'aliases',
      summary: 'Aliases the caller may see',
      querystring: { type: 'object', properties: { domain: str } },
      response: arrayOf(aliasSchema),
      handler: ({ actor, query }) => d.listAliases(query.domain ? { domain: query.domain } : {}, actor),
    }),
    route<AliasInput>({
      method: 'POST',
      url: '/aliases',
      tag: 'aliases',
      summary: 'Create an alias',
      body: input(
        { address: { type: 'string', minLength: 3, maxLength: 320 }, members: strings, ...policy },
        ['address', 'members'],
      ),
      response: aliasSchema,
      handler: ({ actor, body }) => d.addAlias(body, actor),
    }),
    route({
      method: 'GET',
      url: '/aliases/:address',
      tag: 'aliases',
      summary: 'One alias',
      params: addressParam,
      response: aliasSchema,
      handler: ({ actor, params }) => d.getAlias(params.address!, actor),
    }),
    route<AliasUpdate>({
      method: 'PATCH',
      url: '/aliases/:address',
      tag: 'aliases',
      summary: 'Change owners and who may send to the alias',
      params: addressParam,
      body: input(policy),
      response: aliasSchema,
      handler: ({ actor, params, body }) => d.updateAlias(params.address!, body, actor),
    }),
    route({
      method: 'DELETE',
      url: '/aliases/:address',
      tag: 'aliases',
      summary: 'Remove an alias',
      params: addressParam,
      async handler({ actor, params }) {
        await d.removeAlias(params.address!, actor);
      },
    }),
    route<{ members: string[] }>({
      method: 'POST',
      url: '/aliases/:address/members',
      tag: 'aliases',
      summary: 'Add members (addresses or other aliases)',
      params: addressParam,
      body: membersBody,
      response: aliasSchema,
      handler: ({ actor, params, body }) => d.addAliasMembers(params.address!, body.members, actor),
    }),
    route<{ members: string[] }>({
      method: 'POST',
      url: '/aliases/:address/members/remove',
      tag: 'aliases',
      summary: 'Remove members',
      params: addressParam,
      body: membersBody,
      response: aliasSchema,
      handler: ({ actor, params, body }) => d.removeAliasMembers(params.address!, body.members, actor),
    }),
  ];
}
