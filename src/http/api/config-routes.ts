import type { ConfigEntry } from '../../config/config.js';
import { MailsteadError } from '../../core/errors.js';
import { requireServerAdmin } from './access.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, bool, input, nullable, object, str, strings } from './schemas.js';

const entrySchema = object({
  key: str,
  value: nullable(str),
  isDefault: bool,
  default: nullable(str),
  description: str,
  type: str,
  choices: nullable(strings),
  reload: { type: 'string', enum: ['live', 'restart'] },
  secret: bool,
});
const keyParam = object({ key: { type: 'string', pattern: '^[a-z0-9_.]+$' } });

/** A setting as the settings pages show it: text as `config get` prints it, and help from the schema. */
function view(e: ConfigEntry) {
  const secret = e.def.secret ?? false;
  const choices = e.def.type.name.startsWith('one of ')
    ? e.def.type.name.slice('one of '.length).split('|')
    : null;
  return {
    key: e.key,
    value: secret && !e.isDefault ? null : e.text,
    isDefault: e.isDefault,
    default: secret ? null : e.def.type.format(e.def.default),
    description: e.def.description,
    type: e.def.type.name,
    choices,
    reload: e.def.reload,
    secret,
  };
}

/** Validation failures name the key, so a form can show the message beside the field. */
class SettingError extends MailsteadError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message, { operator: true });
  }
}

export function configRoutes({ app }: ApiContext) {
  const c = app.config;
  const changing = (key: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof MailsteadError && e.operator) throw new SettingError(key, e.message);
      throw e;
    }
    return view(c.entry(key));
  };
  return [
    route<unknown, { prefix?: string }>({
      method: 'GET',
      url: '/config',
      tag: 'config',
      summary: 'Every setting (or those under a prefix) with its value, default and help text',
      querystring: { type: 'object', properties: { prefix: str } },
      response: arrayOf(entrySchema),
      async handler({ actor, query }) {
        requireServerAdmin(actor, 'see server settings');
        return c
          .list()
          .filter((e) => !query.prefix || e.key.startsWith(query.prefix))
          .map(view);
      },
    }),
    route({
      method: 'GET',
      url: '/config/:key',
      tag: 'config',
      summary: 'One setting',
      params: keyParam,
      response: entrySchema,
      async handler({ actor, params }) {
        requireServerAdmin(actor, 'see server settings');
        return view(c.entry(params.key!));
      },
    }),
    route<{ value: string }>({
      method: 'PUT',
      url: '/config/:key',
      tag: 'config',
      summary:
        'Change a setting, written as on the command line (25M, 5m, yes); 400 names the key when the value is invalid',
      params: keyParam,
      body: input({ value: { type: 'string', maxLength: 100_000 } }, ['value']),
      response: entrySchema,
      async handler({ actor, params, body }) {
        requireServerAdmin(actor, 'change server settings');
        return changing(params.key!, () => c.set(params.key!, body.value));
      },
    }),
    route({
      method: 'DELETE',
      url: '/config/:key',
      tag: 'config',
      summary: 'Return a setting to its default',
      params: keyParam,
      response: entrySchema,
      async handler({ actor, params }) {
        requireServerAdmin(actor, 'change server settings');
        return changing(params.key!, () => c.unset(params.key!));
      },
    }),
  ];
}
