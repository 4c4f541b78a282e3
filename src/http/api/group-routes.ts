import type { GroupInput } from '../../directory/types.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import {
  accountSchema,
  arrayOf,
  bool,
  groupSchema,
  input,
  nameParam,
  nullable,
  object,
  str,
  strings,
} from './schemas.js';

const accountsBody = input({ accounts: { ...strings, minItems: 1 } }, ['accounts']);

export function groupRoutes({ app }: ApiContext) {
  const d = app.directory;
  return [
    route({
      method: 'GET',
      url: '/groups',
      tag: 'groups',
      summary: 'Groups (organisational units) the caller may see',
      response: arrayOf(groupSchema),
      handler: ({ actor }) => d.listGroups(actor),
    }),
    route<GroupInput>({
      method: 'POST',
      url: '/groups',
      tag: 'groups',
      summary: 'Create a group, top-level or under a parent',
      body: input(
        {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          parent: nullable(str),
          domain: nullable(str),
        },
        ['name'],
      ),
      response: groupSchema,
      handler: ({ actor, body }) => d.addGroup(body, actor),
    }),
    route({
      method: 'GET',
      url: '/groups/:name',
      tag: 'groups',
      summary: 'A group and its members',
      params: nameParam,
      response: object({ group: groupSchema, members: arrayOf(accountSchema) }),
      async handler({ actor, params }) {
        return {
          group: await d.getGroup(params.name!, actor),
          members: await d.groupMembers(params.name!, actor),
        };
      },
    }),
    route({
      method: 'DELETE',
      url: '/groups/:name',
      tag: 'groups',
      summary: 'Remove a group',
      params: nameParam,
      async handler({ actor, params }) {
        await d.removeGroup(params.name!, actor);
      },
    }),
    route<{ accounts: string[] }>({
      method: 'POST',
      url: '/groups/:name/members',
      tag: 'groups',
      summary: 'Put accounts into the group',
      params: nameParam,
      body: accountsBody,
      async handler({ actor, params, body }) {
        await d.addGroupMembers(params.name!, body.accounts, actor);
      },
    }),
    route<{ accounts: string[] }>({
      method: 'POST',
      url: '/groups/:name/members/remove',
      tag: 'groups',
      summary: 'Take accounts out of the group',
      params: nameParam,
      body: accountsBody,
      async handler({ actor, params, body }) {
        await d.removeGroupMembers(params.name!, body.accounts, actor);
      },
    }),
    route<{ account: string }>({
      method: 'POST',
      url: '/groups/:name/admins',
      tag: 'groups',
      summary: 'Delegate administration of the group (and its sub-groups) to an account',
      params: nameParam,
      body: input({ account: str }, ['account']),
      response: object({ promoted: bool }),
      handler: ({ actor, params, body }) => d.addGroupAdmin(params.name!, body.account, actor),
    }),
    route<unknown, { account: string }>({
      method: 'DELETE',
      url: '/groups/:name/admins',
      tag: 'groups',
      summary: 'Withdraw a delegated group admin',
      params: nameParam,
      querystring: { type: 'object', properties: { account: str }, required: ['account'] },
      async handler({ actor, params, query }) {
        await d.removeGroupAdmin(params.name!, query.account, actor);
      },
    }),
  ];
}
