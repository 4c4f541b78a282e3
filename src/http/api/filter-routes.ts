import type { Rule, Vacation } from '../../sieve/rules.js';
import type { RuleEdit } from '../../sieve/service/rule-model.js';
import { manageableAccount } from './access.js';
import type { ApiContext } from './context.js';
import { route, type JsonSchema } from './route.js';
import { arrayOf, bool, input, int, object, str, strings } from './schemas.js';

const condition = input(
  {
    field: { type: 'string', enum: ['from', 'to', 'cc', 'subject', 'size', 'header'] },
    header: str,
    op: {
      type: 'string',
      enum: ['contains', 'not-contains', 'is', 'not-is', 'matches', 'regex', 'over', 'under', 'exists'],
    },
    value: { type: 'string', maxLength: 1000 },
  },
  ['field', 'op', 'value'],
);
const action = input(
  {
    type: { type: 'string', enum: ['fileinto', 'redirect', 'reject', 'discard', 'keep', 'flag'] },
    folder: str,
    address: str,
    message: str,
    flags: strings,
    copy: { type: 'boolean', const: true },
  },
  ['type'],
);
const ruleFields: Record<string, JsonSchema> = {
  name: { type: 'string', maxLength: 200 },
  enabled: bool,
  match: { type: 'string', enum: ['all', 'any'] },
  conditions: arrayOf(condition),
  actions: { ...arrayOf(action), minItems: 1 },
  stop: bool,
};
const vacation = input(
  {
    enabled: bool,
    from: str,
    until: str,
    subject: { type: 'string', maxLength: 500 },
    text: { type: 'string', maxLength: 10000 },
    addresses: strings,
    days: { type: 'integer', minimum: 1, maximum: 365 },
  },
  ['enabled', 'subject', 'text', 'addresses', 'days'],
);
const ruleOut = {
  type: 'object',
  properties: { id: str, ...ruleFields },
  required: ['id', ...Object.keys(ruleFields)],
};
const modelSchema = {
  type: 'object',
  properties: { rules: arrayOf(ruleOut), vacation },
  required: ['rules'],
};
const ruleParams = object({ address: str, id: str });

/**
 * Mail filter rules per user (the SCOoffice "New Mail Filter Rule" form) and the vacation reply,
 * through SieveService's rule editor, which regenerates and activates the user's script.
 */
export function filterRoutes({ app }: ApiContext) {
  const edit = async (actor: Parameters<typeof manageableAccount>[1], address: string, e: RuleEdit) => {
    const account = await manageableAccount(app, actor, address, 'edit the mail filters');
    return app.sieve.editRules(account.id, e);
  };
  return [
    route({
      method: 'GET',
      url: '/accounts/:address/filters',
      tag: 'filters',
      summary: 'The mail filter rules (run top to bottom) and vacation reply',
      params: object({ address: str }),
      response: modelSchema,
      async handler({ actor, params }) {
        return app.sieve.rules(
          (await manageableAccount(app, actor, params.address!, 'see the mail filters')).id,
        );
      },
    }),
    route<Omit<Rule, 'id'> & { position?: number }>({
      method: 'POST',
      url: '/accounts/:address/filters',
      tag: 'filters',
      summary: 'Add a rule (at the end, or at position)',
      params: object({ address: str }),
      body: input({ ...ruleFields, position: { type: 'integer', minimum: 0 } }, [
        'name',
        'enabled',
        'match',
        'conditions',
        'actions',
        'stop',
      ]),
      response: modelSchema,
      handler: ({ actor, params, body }) => {
        const { position, ...rule } = body;
        return edit(actor, params.address!, {
          op: 'add',
          rule,
          ...(position === undefined ? {} : { position }),
        });
      },
    }),
    route({
      method: 'DELETE',
      url: '/accounts/:address/filters/:id',
      tag: 'filters',
      summary: 'Remove a rule',
      params: ruleParams,
      response: modelSchema,
      handler: ({ actor, params }) => edit(actor, params.address!, { op: 'remove', id: params.id! }),
    }),
    route<{ enabled?: boolean; position?: number }>({
      method: 'PATCH',
      url: '/accounts/:address/filters/:id',
      tag: 'filters',
      summary: 'Enable, disable or move a rule',
      params: ruleParams,
      body: input({ enabled: bool, position: int }),
      response: modelSchema,
      async handler({ actor, params, body }) {
        let model = await app.sieve.rules(
          (await manageableAccount(app, actor, params.address!, 'edit the mail filters')).id,
        );
        if (body.enabled !== undefined)
          model = await edit(actor, params.address!, {
            op: body.enabled ? 'enable' : 'disable',
            id: params.id!,
          });
        if (body.position !== undefined)
          model = await edit(actor, params.address!, { op: 'move', id: params.id!, position: body.position });
        return model;
      },
    }),
    route<{ vacation: Vacation | null }>({
      method: 'PUT',
      url: '/accounts/:address/vacation',
      tag: 'filters',
      summary: 'Set or clear (null) the vacation reply',
      params: object({ address: str }),
      body: input({ vacation: { anyOf: [vacation, { type: 'null' }] } }, ['vacation']),
      response: modelSchema,
      handler: ({ actor, params, body }) =>
        edit(actor, params.address!, { op: 'vacation', vacation: body.vacation }),
    }),
  ];
}
