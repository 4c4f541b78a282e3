import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.js';
import type { BrandingService } from '../branding/branding.js';
import { authenticateRequest, type Caller } from '../session/authenticate.js';
import { SessionService } from '../session/sessions.js';
import { ApiTokenService } from '../session/tokens.js';
import { lazyLogQuery, type ApiContext, type ServicesSource } from './context.js';
import { errorHandler, HttpError } from './errors.js';
import { openApiDocument } from './openapi.js';
import type { ApiRoute } from './route.js';
import { apiRoutes } from './routes.js';

export const API_PREFIX = '/api/v1';

/** The caller of a public route: nobody. Reading its actor is a bug, never the system's rights. */
const ANONYMOUS: Caller = {
  get actor(): never {
    throw new HttpError(500, 'a public endpoint asked who is calling');
  },
  csrf: null,
};

/**
 * Registers /api/v1 on the HTTP listener's Fastify instance (before it is ready). Every route is
 * authenticated unless declared public; handlers call the same services as the CLI, passing the
 * caller as the acting account so the services' own checks apply.
 */
export function registerAdminApi(
  fastify: FastifyInstance,
  app: App,
  services: ServicesSource,
  branding: BrandingService,
): void {
  const log = lazyLogQuery(app);
  const ctx: ApiContext = {
    app,
    sessions: new SessionService(app.store.db, app.directory),
    tokens: new ApiTokenService(app.store.db, app.directory),
    services,
    branding,
    logQuery: log.get,
  };
  const routes = apiRoutes(ctx);
  const document = openApiDocument(routes, process.env.npm_package_version ?? '0');
  fastify.addHook('onClose', async () => log.close());
  fastify.register(
    async (api) => {
      api.setErrorHandler(errorHandler(app.log));
      // Only JSON bodies: a cross-site HTML form can send text/plain or form data, never JSON.
      api.addHook('onRequest', async (req) => {
        if (
          req.headers['content-length'] !== undefined &&
          req.headers['content-length'] !== '0' &&
          !/^application\/json\b/i.test(req.headers['content-type'] ?? '')
        )
          throw new HttpError(415, 'request bodies must be application/json');
      });
      api.addHook('onSend', async (_req, reply) => {
        reply.header('cache-control', 'no-store');
      });
      api.get('/openapi.json', async () => document);
      for (const r of routes) mount(api, r, ctx);
      api.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: 'no such endpoint' }));
    },
    { prefix: API_PREFIX },
  );
}

function mount(api: FastifyInstance, r: ApiRoute, ctx: ApiContext): void {
  api.route({
    method: r.method,
    url: r.url,
    schema: {
      ...(r.params ? { params: r.params } : {}),
      ...(r.querystring ? { querystring: r.querystring } : {}),
      ...(r.body ? { body: r.body } : {}),
      ...(r.response ? { response: { 200: r.response } } : {}),
    },
    handler: async (request, reply) => {
      const caller = r.public ? ANONYMOUS : await authenticateRequest(request, ctx.sessions, ctx.tokens);
      const result = await r.handler({
        get actor() {
          return caller.actor;
        },
        csrf: caller.csrf,
        params: request.params as Record<string, string>,
        query: request.query as Record<string, string | undefined>,
        body: request.body,
        request,
        reply,
      });
      return result ?? { ok: true };
    },
  });
}
