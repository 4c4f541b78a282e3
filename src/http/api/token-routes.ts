import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, idParam, input, int, nullable, object, str } from './schemas.js';

const tokenSchema = object({
  id: int,
  account: str,
  accountId: int,
  name: str,
  createdAt: int,
  expiresAt: nullable(int),
  lastUsedAt: nullable(int),
});

export function tokenRoutes(ctx: ApiContext) {
  return [
    route<unknown, { account?: string }>({
      method: 'GET',
      url: '/tokens',
      tag: 'tokens',
      summary: "API tokens: the caller's own, an account's, or (server admins) all",
      querystring: { type: 'object', properties: { account: { type: 'string' } } },
      response: arrayOf(tokenSchema),
      handler: ({ actor, query }) => ctx.tokens.list(actor, query.account),
    }),
    route<{ account: string; name: string; expiresInDays?: number }>({
      method: 'POST',
      url: '/tokens',
      tag: 'tokens',
      summary: 'Create an API token; the secret is returned only in this response',
      body: input(
        {
          account: str,
          name: { type: 'string', minLength: 1, maxLength: 100 },
          expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
        },
        ['account', 'name'],
      ),
      response: object({ token: str, info: tokenSchema }),
      handler: ({ actor, body }) =>
        ctx.tokens.create(
          body.account,
          body.name,
          { expiresInMs: body.expiresInDays ? body.expiresInDays * 86_400_000 : null },
          actor,
        ),
    }),
    route({
      method: 'DELETE',
      url: '/tokens/:id',
      tag: 'tokens',
      summary: 'Revoke an API token',
      params: idParam,
      async handler({ actor, params }) {
        await ctx.tokens.revoke(Number(params.id), actor);
      },
    }),
  ];
}
