import { readCookie, SESSION_COOKIE, sessionCookie } from '../session/cookie.js';
import { SESSION_IDLE_MS } from '../session/sessions.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { accountSchema, input, nullable, object, str } from './schemas.js';

const sessionSchema = object({ account: accountSchema, csrf: str });

export function sessionRoutes(ctx: ApiContext) {
  return [
    route<{ address: string; password: string }>({
      method: 'POST',
      url: '/session',
      tag: 'session',
      summary: 'Log in: sets the session cookie and returns the CSRF token for state-changing requests',
      public: true,
      body: input(
        {
          address: { type: 'string', minLength: 1, maxLength: 320 },
          password: { type: 'string', minLength: 1, maxLength: 1024 },
        },
        ['address', 'password'],
      ),
      response: sessionSchema,
      async handler({ body, request, reply }) {
        const s = await ctx.sessions.login(body.address, body.password, request.ip);
        reply.header('set-cookie', sessionCookie(s.token, SESSION_IDLE_MS / 1000));
        return { account: s.account, csrf: s.csrf };
      },
    }),
    route({
      method: 'GET',
      url: '/session',
      tag: 'session',
      summary: 'The logged-in account and the session CSRF token',
      response: object({ account: accountSchema, csrf: nullable(str) }),
      async handler({ actor, csrf }) {
        return { account: actor.kind === 'account' ? actor.account : null, csrf };
      },
    }),
    route({
      method: 'DELETE',
      url: '/session',
      tag: 'session',
      summary: 'Log out',
      async handler({ request, reply }) {
        const token = readCookie(request.headers.cookie, SESSION_COOKIE);
        if (token) await ctx.sessions.logout(token);
        reply.header('set-cookie', sessionCookie('', 0));
      },
    }),
  ];
}
