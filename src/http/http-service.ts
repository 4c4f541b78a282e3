import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '../app.js';
import type { ProtocolService } from '../server/service.js';
import { registerAutoconfigRoutes } from './autoconfig/routes.js';
import { registerAdminApi } from './api/register.js';
import type { ServicesSource } from './api/context.js';
import { BrandingService } from './branding/branding.js';
import { registerAdminUi } from './static.js';

export type { ServicesSource };

/**
 * The HTTP listener: /healthz, Prometheus /metrics, autoconfig, the admin API (/api/v1) and
 * the admin UI (/admin/), all on one Fastify instance. One instance serves every `listen.http` address.
 */
export async function createHttpService(
  app: App,
  services: ServicesSource,
): Promise<ProtocolService & { fastify: FastifyInstance }> {
  // Unknown properties in a request body are an error (a typo must not pass as a no-op), not dropped.
  const fastify = Fastify({
    logger: false,
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false } },
  });
  const started = Date.now();
  fastify.get('/healthz', async () => ({
    status: 'ok',
    version: process.env.npm_package_version ?? null,
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    listeners: services()
      .status()
      .flatMap((s) =>
        s.state === 'running'
          ? s.addresses.map((address) => ({ service: s.service, address, connections: s.connections }))
          : [],
      ),
  }));
  fastify.get('/metrics', async (_req, reply) => {
    reply.header('content-type', app.metrics.registry.contentType);
    return app.metrics.text();
  });
  registerAutoconfigRoutes(fastify, app);
  const branding = new BrandingService(app.store.db, app.directory);
  registerAdminApi(fastify, app, services, branding);
  registerAdminUi(fastify, branding);
  await fastify.ready();
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  return {
    name: 'http',
    key: 'listen.http',
    fastify,
    createServer() {
      const server = createServer((req, res) => fastify.routing(req, res));
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      servers.push(server);
      return server;
    },
    connections: () => sockets.size,
    async drain() {
      for (const s of servers) s.closeIdleConnections();
      await fastify.close();
    },
  };
}
