import type { ApiRoute, JsonSchema } from './route.js';
import { components, ok } from './schemas.js';

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query'): unknown[] {
  const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema?.required ?? []) as string[];
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    schema: s,
  }));
}

/** The OpenAPI 3.1 document of the routes, built from the schemas Fastify validates with. */
export function openApiDocument(routes: readonly ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = '/api/v1' + r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      tags: [r.tag],
      summary: r.summary,
      ...(r.public ? { security: [] } : {}),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.querystring, 'query')],
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } }
        : {}),
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: r.response ?? ok } } },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Mailstead administration API', version },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { token: [] }],
    components: {
      schemas: components,
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'mst_session',
          description:
            'From POST /api/v1/session; state-changing requests also need the X-CSRF-Token header it returns.',
        },
        token: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (mailstead token create, or POST /api/v1/tokens).',
        },
      },
    },
    paths,
  };
}
