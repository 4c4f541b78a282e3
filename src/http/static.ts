import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hostnameOf, type BrandingService } from './branding/branding.js';

/** The package root, from dist/src/http/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** What scripts/build-web.js made of web/admin/: index.html, the bundled script and the stylesheet. */
const UI_DIR = `${ROOT}dist/web/admin/`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** esbuild's content hash in a bundle's name (main-TZUZO5KP.js): that URL's content never changes. */
const HASHED = /-[A-Z0-9]{8}\.(js|css)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

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

/** The precompressed variant build-web.js wrote that the browser accepts (q=0 means refused). */
function encodingFor(req: FastifyRequest): 'br' | 'gzip' | null {
  const accepted = new Set(
    String(req.headers['accept-encoding'] ?? '')
      .split(',')
      .map((part) =>
        part
          .trim()
          .toLowerCase()
          .split(/\s*;\s*/),
      )
      .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q))
      .map(([name]) => name),
  );
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
}

async function send(req: FastifyRequest, reply: FastifyReply, relative: string): Promise<FastifyReply> {
  const file = normalize(UI_DIR + relative);
  const type = TYPES[extname(file)];
  if (!file.startsWith(UI_DIR.replaceAll('/', sep)) || !type) return reply.status(404).send('not found');
  const hashed = HASHED.test(file);
  reply.headers({ ...SECURITY_HEADERS, 'content-type': type });
  try {
    if (hashed) {
      reply.headers({ 'cache-control': IMMUTABLE, vary: 'accept-encoding' });
      const encoding = encodingFor(req);
      if (encoding) {
        const body = await readFile(`${file}.${encoding === 'br' ? 'br' : 'gz'}`);
        return reply.header('content-encoding', encoding).send(body);
      }
      return reply.send(await readFile(file));
    }
    return sendRevalidated(req, reply, await readFile(file));
  } catch {
    return reply.status(404).send('not found');
  }
}

/**
 * For what keeps its URL when it changes (index.html, brand.css): the browser asks each time, and an
 * unchanged answer is an empty 304.
 */
function sendRevalidated(req: FastifyRequest, reply: FastifyReply, body: Buffer | string): FastifyReply {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  reply.headers({ etag, 'cache-control': 'no-cache' });
  if (req.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.send(body);
}

/**
 * The admin single-page app at /admin/ (its routes live after the #, so one page serves them all),
 * with the branding of the hostname it is opened at: colours as a generated stylesheet, since the
 * CSP allows no inline style, and logos as images of our own origin.
 */
export function registerAdminUi(fastify: FastifyInstance, branding: BrandingService): void {
  fastify.get('/admin', (_req, reply) => reply.redirect('/admin/'));
  fastify.get('/admin/', (req, reply) => send(req, reply, 'index.html'));
  fastify.get<{ Params: { '*': string } }>('/admin/assets/*', (req, reply) =>
    send(req, reply, `assets/${req.params['*']}`),
  );
  fastify.get<{ Params: { '*': string } }>('/admin/js/*', (req, reply) =>
    send(req, reply, `js/${req.params['*']}`),
  );
  fastify.get('/admin/brand.css', async (req, reply) =>
    sendRevalidated(
      req,
      reply.headers({ ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8', vary: 'host' }),
      await branding.stylesheet(hostnameOf(req.headers.host)),
    ),
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
