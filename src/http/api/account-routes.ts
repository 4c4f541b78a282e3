import type { AccountInput, AccountUpdate, Role, SendPermission } from '../../directory/types.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import {
  accountSchema,
  addressParam,
  arrayOf,
  bool,
  input,
  int,
  nullable,
  object,
  paging,
  quotaSchema,
  roleSchema,
  sendGrantSchema,
  sendPermission,
  str,
  strings,
} from './schemas.js';

const editable = {
  displayName: { type: 'string', maxLength: 200 },
  role: roleSchema,
  quotaBytes: nullable({ type: 'integer', minimum: 0 }),
  quotaMessages: nullable({ type: 'integer', minimum: 0 }),
  receiveLocalOnly: bool,
  webmail: bool,
  groupId: nullable(int),
  forwardTo: strings,
  forwardKeepCopy: bool,
};

/** Grants as `address` or `@GROUP`, the form the directory's grant commands take. */
function grantView(g: {
  mailbox: string;
  grantee: { kind: 'account'; address: string } | { kind: 'group'; name: string };
  permission: SendPermission;
}) {
  return {
    mailbox: g.mailbox,
    grantee: g.grantee.kind === 'account' ? g.grantee.address : `@${g.grantee.name}`,
    permission: g.permission,
  };
}

export function accountRoutes({ app }: ApiContext) {
  const d = app.directory;
  return [
    route<unknown, { domain?: string; groupId?: number; role?: Role; limit: number; offset: number }>({
      method: 'GET',
      url: '/accounts',
      tag: 'accounts',
      summary: 'Accounts the caller may see, a page at a time',
      querystring: { type: 'object', properties: { domain: str, groupId: int, role: roleSchema, ...paging } },
      response: object({ accounts: arrayOf(accountSchema), more: bool }),
      async handler({ actor, query }) {
        const rows = await d.listAccounts({ ...query, limit: query.limit + 1 }, actor);
        return { accounts: rows.slice(0, query.limit), more: rows.length > query.limit };
      },
    }),
    route<AccountInput>({
      method: 'POST',
      url: '/accounts',
      tag: 'accounts',
      summary: 'Create an account',
      body: input(
        {
          address: { type: 'string', minLength: 3, maxLength: 320 },
          password: { type: 'string', minLength: 1, maxLength: 1024 },
          ...editable,
        },
        ['address', 'password'],
      ),
      response: accountSchema,
      handler: ({ actor, body }) => d.addAccount(body, actor),
    }),
    route({
      method: 'GET',
      url: '/accounts/:address',
      tag: 'accounts',
      summary: 'One account with its mailbox usage and the send grants on it',
      params: addressParam,
      response: object({ account: accountSchema, quota: quotaSchema, sendGrants: arrayOf(sendGrantSchema) }),
      async handler({ actor, params }) {
        const account = await d.showAccount(params.address!, actor);
        return {
          account,
          quota: await app.mailbox.quotaStatus(account.id),
          sendGrants: (await d.listSendGrants(account.address)).map(grantView),
        };
      },
    }),
    route<AccountUpdate>({
      method: 'PATCH',
      url: '/accounts/:address',
      tag: 'accounts',
      summary: 'Change an account: name, role, quota, privileges, group, forwarding',
      params: addressParam,
      body: input(editable),
      response: accountSchema,
      handler: ({ actor, params, body }) => d.updateAccount(params.address!, body, actor),
    }),
    route<{ enabled: boolean }>({
      method: 'PUT',
      url: '/accounts/:address/enabled',
      tag: 'accounts',
      summary: 'Enable or disable an account (a disabled account cannot log in or receive)',
      params: addressParam,
      body: input({ enabled: bool }, ['enabled']),
      response: accountSchema,
      handler: ({ actor, params, body }) => d.setEnabled(params.address!, body.enabled, actor),
    }),
    route<{ password: string }>({
      method: 'PUT',
      url: '/accounts/:address/password',
      tag: 'accounts',
      summary: 'Set the password',
      params: addressParam,
      body: input({ password: { type: 'string', minLength: 1, maxLength: 1024 } }, ['password']),
      async handler({ actor, params, body }) {
        await d.setPassword(params.address!, body.password, actor);
      },
    }),
    route({
      method: 'DELETE',
      url: '/accounts/:address',
      tag: 'accounts',
      summary: 'Remove an account',
      params: addressParam,
      async handler({ actor, params }) {
        await d.removeAccount(params.address!, actor);
      },
    }),
    route<{ grantee: string; permission: SendPermission }>({
      method: 'POST',
      url: '/accounts/:address/send-grants',
      tag: 'accounts',
      summary: 'Let an account (address) or a group (@NAME) send as this address or on its behalf',
      params: addressParam,
      body: input({ grantee: { type: 'string', minLength: 1 }, permission: sendPermission }, [
        'grantee',
        'permission',
      ]),
      response: object({ granted: bool }),
      async handler({ actor, params, body }) {
        return { granted: await d.grantSend(params.address!, body.grantee, body.permission, actor) };
      },
    }),
    route<unknown, { grantee: string; permission: SendPermission }>({
      method: 'DELETE',
      url: '/accounts/:address/send-grants',
      tag: 'accounts',
      summary: 'Revoke a send-as or send-on-behalf grant',
      params: addressParam,
      querystring: {
        type: 'object',
        properties: { grantee: str, permission: sendPermission },
        required: ['grantee', 'permission'],
      },
      response: object({ revoked: bool }),
      async handler({ actor, params, query }) {
        return { revoked: await d.revokeSend(params.address!, query.grantee, query.permission, actor) };
      },
    }),
  ];
}
