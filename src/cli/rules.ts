import { OperatorError } from '../core/errors.js';
import type { Condition, ConditionField, ConditionOp, Rule, RuleAction, Vacation } from '../sieve/rules.js';
import type { RuleEdit } from '../sieve/service/rule-model.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';
import { subcommand, withApp } from './directory-cli.js';
import { userId } from './sieve.js';

const FIELDS: ConditionField[] = ['from', 'to', 'cc', 'subject', 'size', 'header'];
const OPS: ConditionOp[] = [
  'contains',
  'not-contains',
  'is',
  'not-is',
  'matches',
  'regex',
  'over',
  'under',
  'exists',
];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `subject contains invoice`, `header X-Spam-Flag is YES`, `size over 5M`, `header List-Id exists`. */
export function parseCondition(text: string): Condition {
  const words = text.trim().split(/\s+/);
  const field = words.shift()?.toLowerCase() as ConditionField;
  if (!FIELDS.includes(field))
    throw new OperatorError(`--if "${text}": start with one of ${FIELDS.join(', ')}`);
  const header = field === 'header' ? words.shift() : undefined;
  if (field === 'header' && !header)
    throw new OperatorError(`--if "${text}": name the header, e.g. header X-Spam-Flag is YES`);
  const op = words.shift()?.toLowerCase() as ConditionOp;
  if (!OPS.includes(op)) throw new OperatorError(`--if "${text}": the test is one of ${OPS.join(', ')}`);
  // The value is the rest of the text as typed, inner spaces included.
  const value =
    op === 'exists' ? '' : text.trim().replace(new RegExp(`^(?:\\S+\\s+){${header ? 3 : 2}}`), '');
  if (op !== 'exists' && !words.length) throw new OperatorError(`--if "${text}": give a value to compare`);
  return { field, ...(header ? { header } : {}), op, value };
}

function describeCondition(c: Condition): string {
  return [c.field, c.header, c.op, c.op === 'exists' ? undefined : JSON.stringify(c.value)]
    .filter(Boolean)
    .join(' ');
}

function describeAction(a: RuleAction): string {
  switch (a.type) {
    case 'fileinto':
      return `fileinto ${a.folder}${a.copy ? ' (copy)' : ''}`;
    case 'redirect':
      return `redirect ${a.address}${a.copy ? ' (copy)' : ''}`;
    case 'reject':
      return `reject ${JSON.stringify(a.message)}`;
    case 'flag':
      return `flag ${a.flags.join(' ')}`;
    default:
      return a.type;
  }
}

const OPTIONS = {
  name: { type: 'string' },
  if: { type: 'string', multiple: true },
  any: { type: 'boolean' },
  fileinto: { type: 'string' },
  redirect: { type: 'string' },
  copy: { type: 'boolean' },
  reject: { type: 'string' },
  discard: { type: 'boolean' },
  keep: { type: 'boolean' },
  flag: { type: 'string', multiple: true },
  stop: { type: 'boolean' },
  disabled: { type: 'boolean' },
  position: { type: 'string' },
  on: { type: 'boolean' },
  off: { type: 'boolean' },
  subject: { type: 'string' },
  text: { type: 'string' },
  from: { type: 'string' },
  until: { type: 'string' },
  days: { type: 'string' },
  address: { type: 'string', multiple: true },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

function position(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new OperatorError(`position "${text}" is not 1 or more`);
  return Number(text) - 1;
}

function ruleFrom(v: Values): Omit<Rule, 'id'> {
  const actions: RuleAction[] = [];
  const copy = v.copy ? { copy: true as const } : {};
  if (v.flag?.length) actions.push({ type: 'flag', flags: v.flag });
  if (v.fileinto) actions.push({ type: 'fileinto', folder: v.fileinto, ...copy });
  if (v.redirect) actions.push({ type: 'redirect', address: v.redirect, ...copy });
  if (v.reject !== undefined) actions.push({ type: 'reject', message: v.reject });
  if (v.discard) actions.push({ type: 'discard' });
  if (v.keep) actions.push({ type: 'keep' });
  if (!actions.length)
    throw new OperatorError(
      'give at least one action: --fileinto, --redirect, --reject, --discard, --keep or --flag',
    );
  return {
    name: v.name ?? '',
    enabled: !v.disabled,
    match: v.any ? 'any' : 'all',
    conditions: (v.if ?? []).map(parseCondition),
    actions,
    stop: v.stop ?? false,
  };
}

function vacationFrom(v: Values, current: Vacation | undefined): Vacation {
  if (v.on && v.off) throw new OperatorError('give --on or --off, not both');
  for (const d of [v.from, v.until])
    if (d !== undefined && d !== '' && !DATE.test(d))
      throw new OperatorError(`"${d}" is not a date like 2025-07-01`);
  const days = v.days === undefined ? (current?.days ?? 7) : Number(v.days);
  const next: Vacation = {
    enabled: v.on ? true : v.off ? false : (current?.enabled ?? false),
    subject: v.subject ?? current?.subject ?? 'Out of office',
    text: v.text ?? current?.text ?? '',
    addresses: v.address ?? current?.addresses ?? [],
    days,
  };
  const from = v.from ?? current?.from;
  const until = v.until ?? current?.until;
  // An empty --from/--until removes the date.
  return { ...next, ...(from ? { from } : {}), ...(until ? { until } : {}) };
}

export const rulesCommand: CommandGroup = {
  async run(args, ctx) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const [sub, user, id, to] = positionals;
    await withApp(ctx, async (app) => {
      const sub1 = subcommand(sub, ['list', 'add', 'remove', 'enable', 'disable', 'move', 'vacation']) as
        'list' | 'add' | 'remove' | 'enable' | 'disable' | 'move' | 'vacation';
      const account = await userId(app, user);
      if (sub1 === 'list') {
        const model = await app.sieve.rules(account);
        printTable(
          ctx,
          model.rules.map((r, i) => ({
            pos: i + 1,
            id: r.id,
            on: r.enabled ? 'yes' : 'no',
            name: r.name,
            if: `${r.match === 'any' ? 'any of: ' : ''}${r.conditions.map(describeCondition).join('; ') || 'always'}`,
            then: [...r.actions.map(describeAction), ...(r.stop ? ['stop'] : [])].join('; '),
          })),
        );
        if (model.vacation && !ctx.json)
          ctx.out(
            `vacation: ${model.vacation.enabled ? 'on' : 'off'}${model.vacation.from ? ` from ${model.vacation.from}` : ''}${model.vacation.until ? ` until ${model.vacation.until}` : ''}, subject ${JSON.stringify(model.vacation.subject)}`,
          );
        return;
      }
      let edit: RuleEdit;
      if (sub1 === 'add')
        edit = {
          op: 'add',
          rule: ruleFrom(values),
          ...(values.position ? { position: position(values.position)! } : {}),
        };
      else if (sub1 === 'move')
        edit = { op: 'move', id: requireArg(id, 'ID'), position: position(requireArg(to, 'POSITION'))! };
      else if (sub1 === 'vacation')
        edit = { op: 'vacation', vacation: vacationFrom(values, (await app.sieve.rules(account)).vacation) };
      else edit = { op: sub1, id: requireArg(id, 'ID') };
      const model = await app.sieve.editRules(account, edit);
      if (sub1 === 'vacation') printRecord(ctx, { ...model.vacation });
      else if (sub1 === 'add')
        ctx.out(
          `added rule ${model.rules.find((r) => !model.rules.some((o) => Number(o.id) > Number(r.id)))!.id} for ${user}`,
        );
      else ctx.out(`${sub1 === 'move' ? 'moved' : `${sub1}d`} rule ${id} of ${user}`);
    });
  },
};
