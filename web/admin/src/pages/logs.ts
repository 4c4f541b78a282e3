import { get, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { form, table } from '../forms.js';
import { t } from '../i18n.js';

const FILTERS = ['last', 'sender', 'recipient', 'domain', 'user'] as const;

function report(title: string, r: any): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, title),
    r.warning ? h('p', { class: 'warning' }, r.warning) : null,
    table(
      r.columns,
      r.rows.map((row: any) => r.columns.map((c: string) => row[c] ?? '')),
    ),
  );
}

/** Delivery-log search and the top / per-user / per-domain reports, for one selection. */
export async function logsPage(main: HTMLElement, [query = 'last=24 hours']: string[]): Promise<void> {
  const q = new URLSearchParams(query);
  const qs = `${q}&limit=20`;
  const [deliveries, senders, recipients, deferrals, failures, domains] = await Promise.all([
    get(`/logs/deliveries?${q}&limit=200`),
    get(`/logs/top/senders?${qs}`),
    get(`/logs/top/recipients?${qs}`),
    get(`/logs/top/deferrals?${qs}`),
    get(`/logs/top/failures?${qs}`),
    get(`/logs/stats/domains?${qs}`),
  ]);
  replace(
    main,
    h('h1', {}, t('nav.logs')),
    form({
      className: 'inline filters',
      fields: FILTERS.map((f) => ({
        name: f,
        label: t(`logs.${f}`),
        value: q.get(f) ?? '',
        ...(f === 'last' ? { help: t('logs.lastHelp') } : {}),
      })),
      submit: t('common.filter'),
      onSubmit: async (v) =>
        void (location.hash = `#/logs/${seg(new URLSearchParams(Object.entries(v).filter(([, x]) => x) as [string, string][]).toString())}`),
    }),
    h(
      'section',
      {},
      h('h2', {}, t('logs.deliveries')),
      table(
        [t('logs.time'), t('logs.result'), t('logs.sender'), t('logs.recipient'), t('logs.reply')],
        deliveries.records.map((r: any) => [r.time, r.result, r.sender || '<>', r.recipient, r.reply ?? '']),
      ),
    ),
    report(t('logs.topSenders'), senders),
    report(t('logs.topRecipients'), recipients),
    report(t('logs.topDeferrals'), deferrals),
    report(t('logs.topFailures'), failures),
    report(t('logs.domains'), domains),
  );
}
