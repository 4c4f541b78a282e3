import { ConflictError } from '../../core/errors.js';
import { SieveSyntaxError } from '../../sieve/errors.js';
import { RULES_SCRIPT } from '../../sieve/service/sieve-service.js';
import { manageableAccount } from './access.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, bool, input, int, nullable, object, str } from './schemas.js';

const scriptParams = object({ address: str, name: { type: 'string', minLength: 1, maxLength: 128 } });
const content = { type: 'string', maxLength: 1024 * 1024 };
const problem = object({ message: str, line: int, column: int });

/**
 * Raw Sieve for experts, with ManageSieve's semantics (many scripts, one active) through
 * SieveService, which compiles every script it stores: an error comes back with its line and
 * column. The rule editor's own script is refused here so the two editors never fight over it.
 */
export function sieveRoutes({ app }: ApiContext) {
  const owner = async (actor: Parameters<typeof manageableAccount>[1], address: string, what: string) =>
    (await manageableAccount(app, actor, address, what)).id;
  const notRules = (name: string) => {
    if (name === RULES_SCRIPT)
      throw new ConflictError(`"${RULES_SCRIPT}" is written by the mail filter rules; edit those instead`);
  };
  return [
    route({
      method: 'GET',
      url: '/accounts/:address/sieve',
      tag: 'sieve',
      summary: 'The Sieve scripts stored for the account, which one is active',
      params: object({ address: str }),
      response: arrayOf(object({ name: str, active: bool, size: int })),
      async handler({ actor, params }) {
        return app.sieve.listScripts(await owner(actor, params.address!, 'see the Sieve scripts'));
      },
    }),
    route({
      method: 'GET',
      url: '/accounts/:address/sieve/:name',
      tag: 'sieve',
      summary: 'One script',
      params: scriptParams,
      response: object({ name: str, content: str, active: bool }),
      async handler({ actor, params }) {
        const id = await owner(actor, params.address!, 'read the Sieve scripts');
        const content = await app.sieve.getScript(id, params.name!);
        const active = (await app.sieve.listScripts(id)).some((s) => s.name === params.name && s.active);
        return { name: params.name, content, active };
      },
    }),
    route<{ content: string }>({
      method: 'POST',
      url: '/accounts/:address/sieve-check',
      tag: 'sieve',
      summary:
        'Compile a script without storing it (check as you type): the first error with its line and column',
      params: object({ address: str }),
      body: input({ content }, ['content']),
      response: object({ ok: bool, error: nullable(problem) }),
      async handler({ actor, params, body }) {
        await owner(actor, params.address!, 'check Sieve scripts');
        try {
          app.sieve.checkScript(body.content);
          return { ok: true, error: null };
        } catch (e) {
          if (!(e instanceof SieveSyntaxError)) throw e;
          return { ok: false, error: { message: e.message, line: e.line, column: e.column } };
        }
      },
    }),
    route<{ content: string; active?: boolean }>({
      method: 'PUT',
      url: '/accounts/:address/sieve/:name',
      tag: 'sieve',
      summary:
        'Store a script (compiled first: a 400 names the line and column) and optionally make it the active one',
      params: scriptParams,
      body: input({ content, active: bool }, ['content']),
      async handler({ actor, params, body }) {
        notRules(params.name!);
        const id = await owner(actor, params.address!, 'write Sieve scripts');
        await app.sieve.putScript(id, params.name!, body.content);
        if (body.active) await app.sieve.activate(id, params.name!);
      },
    }),
    route<{ name: string | null }>({
      method: 'PUT',
      url: '/accounts/:address/sieve-active',
      tag: 'sieve',
      summary: 'Make one script the active one, or none (null)',
      params: object({ address: str }),
      body: input({ name: nullable(str) }, ['name']),
      async handler({ actor, params, body }) {
        await app.sieve.activate(await owner(actor, params.address!, 'activate Sieve scripts'), body.name);
      },
    }),
    route({
      method: 'DELETE',
      url: '/accounts/:address/sieve/:name',
      tag: 'sieve',
      summary: 'Delete a script that is not the active one',
      params: scriptParams,
      async handler({ actor, params }) {
        notRules(params.name!);
        await app.sieve.deleteScript(
          await owner(actor, params.address!, 'delete Sieve scripts'),
          params.name!,
        );
      },
    }),
  ];
}
