import type { JsonSchema } from './route.js';

/** Schemas shared by several endpoints. Each one is also a named component of the OpenAPI document. */

export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const bool = { type: 'boolean' } as const;
/**
 * A value or null, as a type list: Fastify's validator coerces types, and in an anyOf it would
 * turn null into 0 for an integer branch (null quota would become a zero quota).
 */
export const nullable = (s: JsonSchema): JsonSchema => ({ ...s, type: [s.type, 'null'] });
export const strings = { type: 'array', items: str } as const;
export const arrayOf = (s: JsonSchema): JsonSchema => ({ type: 'array', items: s });

export function object(
  properties: Record<string, JsonSchema>,
  required: string[] = Object.keys(properties),
): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}

/** A request body: unknown properties are refused so a typo is an error, not a silent no-op. */
export function input(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}

export const ok = object({ ok: bool });
export const errorBody = { type: 'object', properties: { error: str, key: str }, required: ['error'] };

export const roleSchema = { type: 'string', enum: ['user', 'group-admin', 'domain-admin', 'server-admin'] };

export const usage = object({ used: int, max: nullable(int) });

export const domainSchema = object({
  id: int,
  name: str,
  aliasOf: nullable(str),
  maxAccounts: nullable(int),
  maxAliases: nullable(int),
  maxStorage: nullable(int),
  catchAll: nullable(str),
  createdAt: int,
});

export const domainUsageSchema = object({
  accounts: usage,
  aliases: usage,
  storage: object({ used: int, max: nullable(int), allocated: int }),
});

export const accountSchema = object({
  id: int,
  address: str,
  domain: str,
  displayName: str,
  role: roleSchema,
  enabled: bool,
  quotaBytes: nullable(int),
  quotaMessages: nullable(int),
  receiveLocalOnly: bool,
  webmail: bool,
  groupId: nullable(int),
  forwardTo: strings,
  forwardKeepCopy: bool,
  blobVolume: nullable(str),
  createdAt: int,
});

export const groupSchema = object({
  id: int,
  name: str,
  parentId: nullable(int),
  domain: nullable(str),
  admins: strings,
});

export const aliasSchema = object({
  id: int,
  address: str,
  members: strings,
  owners: strings,
  restricted: bool,
  allowedSenders: strings,
  membersMaySend: bool,
  createdAt: int,
});

export const sendPermission = { type: 'string', enum: ['send-as', 'send-on-behalf'] };

export const sendGrantSchema = object({
  mailbox: str,
  grantee: str,
  permission: sendPermission,
});

export const quotaSchema = object({
  usedBytes: int,
  maxBytes: nullable(int),
  usedMessages: int,
  maxMessages: nullable(int),
});

export const addressParam = object({ address: str });
export const nameParam = object({ name: str });
export const idParam = object({ id: { type: 'string', pattern: '^[0-9]+$' } });

/** Paging of long lists: at most `limit` rows from `offset`. */
export const paging = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, default: 0 },
} as const;

/** Named schemas for the OpenAPI document's components. */
export const components: Record<string, JsonSchema> = {
  Domain: domainSchema,
  DomainUsage: domainUsageSchema,
  Account: accountSchema,
  Group: groupSchema,
  Alias: aliasSchema,
  SendGrant: sendGrantSchema,
  Quota: quotaSchema,
  Error: errorBody,
};
