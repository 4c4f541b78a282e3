import { readFile } from 'node:fs/promises';
import { extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { hostnameOf, type BrandingService } from './branding/branding.js';

/** The package root, from dist/src/http/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The page and stylesheets are served from the source tree, the scripts as tsc compiled them. */
const PAGE_DIR = `${ROOT}web/admin/`;
const SCRIPT_DIR = `${ROOT}dist/web/admin/`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/**
 * No inline script or style and no other origin: even if data slipped into markup, the browser
 * would not run it. The UI builds its DOM with textContent only, so this is the second line.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

async function send(reply: FastifyReply, dir: string, relative: string): Promise<FastifyReply> {
  const file = normalize(dir + relative);
  const type = TYPES[extname(file)];
  if (!file.startsWith(dir.replaceAll('/', sep)) || !type) return reply.status(404).send('not found');
  try {
    const body = await readFile(file);
    return reply
      .headers({ ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-cache' })
      .send(body);
  } catch {
    return reply.status(404).send('not found');
  }
}

/**
 * The admin single-page app at /admin/ (its routes live after the #, so one page serves them all),
 * with the branding of the hostname it is opened at: colours as a generated stylesheet, since the
 * CSP allows no inline style, and logos as images of our own origin.
 */
export function registerAdminUi(fastify: FastifyInstance, branding: BrandingService): void {
  fastify.get('/admin', (_req, reply) => reply.redirect('/admin/'));
  fastify.get('/admin/', (_req, reply) => send(reply, PAGE_DIR, 'index.html'));
  fastify.get<{ Params: { '*': string } }>('/admin/assets/*', (req, reply) =>
    send(reply, PAGE_DIR, `assets/${req.params['*']}`),
  );
  fastify.get<{ Params: { '*': string } }>('/admin/js/*', (req, reply) =>
    send(reply, SCRIPT_DIR, req.params['*']),
  );
  fastify.get('/admin/brand.css', async (req, reply) =>
    reply
      .headers({
        ...SECURITY_HEADERS,
        'content-type': 'text/css; charset=utf-8',
        'cache-control': 'no-cache',
        vary: 'host',
      })
      .send(await branding.stylesheet(hostnameOf(req.headers.host))),
  );
  fastify.get<{ Params: { scope: string } }>('/admin/brand/logo/:scope', async (req, reply) => {
    const logo = await branding.logo(req.params.scope);
    if (!logo) return reply.status(404).send('not found');
    const etag = `"${logo.hash}"`;
    reply.headers({ ...SECURITY_HEADERS, etag, 'cache-control': 'no-cache' });
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.header('content-type', logo.contentType).send(logo.image);
  });
}
