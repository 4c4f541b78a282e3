import { del, get, patch, post, put, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { action, form, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload, session } from '../session.js';

const FIELDS = ['from', 'to', 'cc', 'subject', 'size', 'header'];
const OPS = ['contains', 'not-contains', 'is', 'not-is', 'matches', 'regex', 'over', 'under', 'exists'];
const ACTIONS = ['fileinto', 'redirect', 'reject', 'discard', 'keep', 'flag'];

function describe(rule: any): string {
  const cond = rule.conditions
    .map(
      (c: any) =>
        `${c.field === 'header' ? c.header : t(`filters.field.${c.field}`)} ${t(`filters.op.${c.op}`)} "${c.value}"`,
    )
    .join(rule.match === 'all' ? ` ${t('filters.and')} ` : ` ${t('filters.or')} `);
  const act = rule.actions
    .map(
      (a: any) =>
        `${t(`filters.action.${a.type}`)} ${a.folder ?? a.address ?? a.message ?? (a.flags ?? []).join(' ')}`,
    )
    .join(', ');
  return `${cond || t('filters.always')} → ${act}`;
}

/** A user's filter rules (the "New Mail Filter Rule" form), their order, and the vacation reply. */
export async function filtersPage(
  main: HTMLElement,
  [address = session()?.address ?? '']: string[],
): Promise<void> {
  const base = `/accounts/${seg(address)}`;
  const model = await get(`${base}/filters`);
  const v = model.vacation;
  replace(
    main,
    h('h1', {}, t('nav.filters'), ' — ', address),
    table(
      [t('filters.name'), t('filters.rule'), t('filters.enabled'), ''],
      model.rules.map((r: any, i: number) => [
        r.name,
        describe(r),
        r.enabled ? t('common.yes') : t('common.no'),
        h(
          'span',
          {},
          action(
            r.enabled ? t('filters.disable') : t('filters.enable'),
            async () => (await patch(`${base}/filters/${seg(r.id)}`, { enabled: !r.enabled }), reload()),
          ),
          i > 0
            ? action(
                t('filters.up'),
                async () => (await patch(`${base}/filters/${seg(r.id)}`, { position: i - 1 }), reload()),
              )
            : null,
          action(t('common.delete'), async () => (await del(`${base}/filters/${seg(r.id)}`), reload()), {
            danger: true,
          }),
        ),
      ]),
    ),
    form({
      legend: t('filters.new'),
      fields: [
        { name: 'name', label: t('filters.name'), required: true },
        {
          name: 'match',
          label: t('filters.match'),
          type: 'select',
          options: ['all', 'any'].map((m) => ({ value: m, label: t(`filters.match.${m}`) })),
        },
        {
          name: 'field',
          label: t('filters.field'),
          type: 'select',
          options: FIELDS.map((f) => ({ value: f, label: t(`filters.field.${f}`) })),
        },
        { name: 'header', label: t('filters.header'), help: t('filters.headerHelp') },
        {
          name: 'op',
          label: t('filters.op'),
          type: 'select',
          options: OPS.map((o) => ({ value: o, label: t(`filters.op.${o}`) })),
        },
        { name: 'value', label: t('filters.value') },
        {
          name: 'action',
          label: t('filters.actionLabel'),
          type: 'select',
          options: ACTIONS.map((a) => ({ value: a, label: t(`filters.action.${a}`) })),
        },
        { name: 'target', label: t('filters.target'), help: t('filters.targetHelp') },
        { name: 'stop', label: t('filters.stop'), type: 'checkbox', value: true },
      ],
      submit: t('common.add'),
      async onSubmit(f) {
        const target = String(f.target);
        const act =
          f.action === 'fileinto'
            ? { type: 'fileinto', folder: target }
            : f.action === 'redirect'
              ? { type: 'redirect', address: target }
              : f.action === 'reject'
                ? { type: 'reject', message: target }
                : f.action === 'flag'
                  ? { type: 'flag', flags: target.split(/\s+/).filter(Boolean) }
                  : { type: f.action };
        const condition = {
          field: f.field,
          op: f.op,
          value: f.value,
          ...(f.field === 'header' ? { header: f.header } : {}),
        };
        await post(`${base}/filters`, {
          name: f.name,
          enabled: true,
          match: f.match,
          conditions: [condition],
          actions: [act],
          stop: f.stop,
        });
        reload();
      },
    }),
    form({
      legend: t('filters.vacation'),
      fields: [
        {
          name: 'enabled',
          label: t('filters.vacationEnabled'),
          type: 'checkbox',
          value: v?.enabled ?? false,
        },
        { name: 'subject', label: t('filters.vacationSubject'), value: v?.subject ?? '' },
        { name: 'text', label: t('filters.vacationText'), type: 'textarea', value: v?.text ?? '' },
        { name: 'days', label: t('filters.vacationDays'), type: 'number', value: v?.days ?? 7 },
      ],
      submit: t('common.save'),
      async onSubmit(f) {
        await put(`${base}/vacation`, {
          vacation:
            f.enabled || f.text
              ? {
                  enabled: f.enabled,
                  subject: f.subject,
                  text: f.text,
                  days: Number(f.days) || 7,
                  addresses: [],
                }
              : null,
        });
      },
    }),
  );
}
