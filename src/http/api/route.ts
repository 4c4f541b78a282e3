import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../directory/types.js';

/** A JSON Schema object, as Fastify validates with and OpenAPI publishes. */
export type JsonSchema = Record<string, unknown>;

export interface HandlerContext<B, Q> {
  actor: Actor;
  /** The session's CSRF token (null for a bearer token or a public route). */
  csrf: string | null;
  params: Record<string, string>;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One endpoint under /api/v1, declared once: Fastify validates requests (and serializes
 * responses) with these schemas, and /api/v1/openapi.json is generated from the same objects.
 */
export interface ApiRoute<B = unknown, Q = Record<string, string | undefined>> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to /api/v1, Fastify syntax (`/accounts/:address`). */
  url: string;
  tag: string;
  summary: string;
  /** Reachable without logging in (the login itself, UI strings for the login page). */
  public?: boolean;
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
  /** The 200 response; omitted for endpoints answering `{ ok: true }`. */
  response?: JsonSchema;
  handler(ctx: HandlerContext<B, Q>): Promise<unknown>;
}

/** Lets each route declare its own body and query types while the list stays one type. */
export function route<B = unknown, Q = Record<string, string | undefined>>(r: ApiRoute<B, Q>): ApiRoute {
  return r as unknown as ApiRoute;
}
