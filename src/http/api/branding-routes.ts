import { hostnameOf, LOGO_MAX, type BrandingUpdate } from '../branding/branding.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, input, int, nullable, object, str } from './schemas.js';

// Formats are checked by the service, whose errors name the field and the expected form.
const colour = { type: 'string', description: '#rrggbb' };
const colours = object({ accent: nullable(str), header: nullable(str), headerText: nullable(str) });

export const effectiveBrandingSchema = object({
  productName: nullable(str),
  colours,
  logo: nullable(object({ url: str, width: int, height: int, contentType: str })),
});

export const scopeBrandingSchema = object({
  scope: str,
  productName: nullable(str),
  colours,
  logo: nullable(object({ url: str, contentType: str, width: int, height: int, bytes: int, hash: str })),
  updatedAt: nullable(int),
});

const scopeParam = object({ scope: { type: 'string', maxLength: 253 } });

export function brandingRoutes({ branding }: ApiContext) {
  return [
    route({
      method: 'GET',
      url: '/branding',
      tag: 'branding',
      summary:
        'The product name, colours and logo for the hostname of the request (public: the login page shows them)',
      public: true,
      response: effectiveBrandingSchema,
      handler: ({ request }) => branding.effective(hostnameOf(request.headers.host)),
    }),
    route({
      method: 'GET',
      url: '/branding/scopes',
      tag: 'branding',
      summary: 'The branded scopes the caller may change (server admins: all; domain admins: their domain)',
      response: arrayOf(scopeBrandingSchema),
      handler: ({ actor }) => branding.list(actor),
    }),
    route({
      method: 'GET',
      url: '/branding/scopes/:scope',
      tag: 'branding',
      summary: "One scope's own settings: `-` is the whole server, else a hostname or domain",
      params: scopeParam,
      response: scopeBrandingSchema,
      handler: ({ actor, params }) => branding.get(params.scope!, actor),
    }),
    route<BrandingUpdate>({
      method: 'PUT',
      url: '/branding/scopes/:scope',
      tag: 'branding',
      summary:
        'Set the product name and colours (#rrggbb) of a scope; a field left out stays, null clears it',
      params: scopeParam,
      body: input({
        productName: nullable({ type: 'string', description: 'at most 64 characters' }),
        colours: input({ accent: nullable(colour), header: nullable(colour), headerText: nullable(colour) }),
      }),
      response: scopeBrandingSchema,
      handler: ({ actor, params, body }) => branding.update(params.scope!, body, actor),
    }),
    route({
      method: 'DELETE',
      url: '/branding/scopes/:scope',
      tag: 'branding',
      summary: "Drop a scope's branding, logo included (the wider scope's applies again)",
      params: scopeParam,
      handler: async ({ actor, params }) => void (await branding.remove(params.scope!, actor)),
    }),
    route<{ image: string }>({
      method: 'PUT',
      url: '/branding/scopes/:scope/logo',
      tag: 'branding',
      summary: `Upload a logo (PNG, JPEG, GIF or WebP, at most ${LOGO_MAX.width}×${LOGO_MAX.height} pixels), base64 in JSON`,
      params: scopeParam,
      body: input(
        {
          image: {
            type: 'string',
            pattern: '^[A-Za-z0-9+/]*={0,2}$',
            description: `base64 of the image file, at most ${LOGO_MAX.bytes / 1024} KB`,
          },
        },
        ['image'],
      ),
      response: object({ contentType: str, width: int, height: int, bytes: int, hash: str }),
      handler: ({ actor, params, body }) =>
        branding.setLogo(params.scope!, Buffer.from(body.image, 'base64'), actor),
    }),
    route({
      method: 'DELETE',
      url: '/branding/scopes/:scope/logo',
      tag: 'branding',
      summary: "Remove a scope's logo",
      params: scopeParam,
      handler: async ({ actor, params }) => void (await branding.removeLogo(params.scope!, actor)),
    }),
  ];
}
