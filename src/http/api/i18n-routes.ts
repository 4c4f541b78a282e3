import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../core/errors.js';
import { deleteUiOverride, putUiOverride, uiOverrides } from '../../store/http/ui-string-repo.js';
import { requireServerAdmin } from './access.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { input, object, str } from './schemas.js';

/** The UI's own strings: web/admin/locales/en.json in the source tree, which the package ships. */
const LOCALES = new URL('../../../../web/admin/locales/', import.meta.url);
const locale = { type: 'string', pattern: '^[a-z]{2}(-[A-Z]{2})?$' };
const localeParam = object({ locale });
const stringsSchema = { type: 'object', additionalProperties: { type: 'string' } };

function shipped(locale: string): Record<string, string> {
  const read = (l: string) => {
    try {
      return JSON.parse(readFileSync(fileURLToPath(new URL(`${l}.json`, LOCALES)), 'utf8')) as Record<
        string,
        string
      >;
    } catch {
      return {};
    }
  };
  return { ...read('en'), ...(locale === 'en' ? {} : read(locale)) };
}

/**
 * UI strings per locale with the administrator's overrides on top (SCOoffice's editable
 * internationalization files: rename "Telex Number" to "Party" without touching the program).
 */
export function i18nRoutes({ app }: ApiContext) {
  const db = app.store.db;
  return [
    route({
      method: 'GET',
      url: '/i18n/:locale',
      tag: 'i18n',
      summary: 'Every UI string of a locale, overrides applied (public: the login page needs them)',
      public: true,
      params: localeParam,
      response: stringsSchema,
      async handler({ params }) {
        return { ...shipped(params.locale!), ...(await uiOverrides(db, params.locale!)) };
      },
    }),
    route({
      method: 'GET',
      url: '/i18n/:locale/overrides',
      tag: 'i18n',
      summary: "The administrator's overrides of a locale",
      params: localeParam,
      response: stringsSchema,
      async handler({ actor, params }) {
        requireServerAdmin(actor, 'see UI string overrides');
        return uiOverrides(db, params.locale!);
      },
    }),
    route<{ value: string }>({
      method: 'PUT',
      url: '/i18n/:locale/:key',
      tag: 'i18n',
      summary: 'Override one UI string',
      params: object({ locale, key: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' } }),
      body: input({ value: { type: 'string', maxLength: 2000 } }, ['value']),
      async handler({ actor, params, body }) {
        requireServerAdmin(actor, 'change UI strings');
        if (!(params.key! in shipped('en'))) throw new NotFoundError(`UI string ${params.key}`);
        await putUiOverride(db, params.locale!, params.key!, body.value);
      },
    }),
    route({
      method: 'DELETE',
      url: '/i18n/:locale/:key',
      tag: 'i18n',
      summary: 'Drop an override (the shipped string applies again)',
      params: object({ locale, key: str }),
      async handler({ actor, params }) {
        requireServerAdmin(actor, 'change UI strings');
        await deleteUiOverride(db, params.locale!, params.key!);
      },
    }),
  ];
}
