import { get, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { form, table } from '../forms.js';
import { t } from '../i18n.js';

const FIELDS = ['queueId', 'messageId', 'sender', 'recipient', 'last'] as const;

function message(m: any): HTMLElement {
  return h(
    'section',
    { class: 'trace', 'data-queue-id': m.queueId },
    h('h2', {}, m.subject ?? m.messageId ?? m.queueId),
    h(
      'dl',
      { class: 'facts' },
      [
        [t('trace.queueId'), m.queueId],
        [t('trace.messageId'), m.messageId ?? '—'],
        [t('logs.sender'), m.sender || '<>'],
        [t('trace.virus'), m.virus ? t(`trace.virus.${m.virus}`) : t('trace.virus.unknown')],
      ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    h(
      'ol',
      { class: 'timeline' },
      m.events.map((e: any) =>
        h(
          'li',
          { class: `stage-${e.stage}` },
          h('time', { datetime: new Date(e.time).toISOString() }, new Date(e.time).toISOString()),
          ' ',
          h('strong', {}, t(`trace.stage.${e.stage}`)),
          e.recipient ? [' ', h('span', { class: 'rcpt' }, e.recipient)] : null,
          ' — ',
          e.detail,
        ),
      ),
    ),
    m.spam && m.spam.hits.length
      ? table(
          [t('trace.rule'), t('trace.score'), t('trace.why')],
          m.spam.hits.map((x: any) => [x.name, x.score, x.description]),
          t('trace.hits'),
        )
      : null,
  );
}

/** Message trace: one message followed from SMTP through the scanners to each recipient's delivery. */
export async function tracePage(main: HTMLElement, [query = '']: string[]): Promise<void> {
  const q = new URLSearchParams(query);
  const result = [...q.keys()].length ? await get(`/trace?${q}`) : null;
  replace(
    main,
    h('h1', {}, t('nav.trace')),
    form({
      className: 'inline filters',
      legend: t('trace.find'),
      fields: FIELDS.map((f) => ({
        name: f,
        label: t(`trace.${f}`),
        value: q.get(f) ?? '',
        ...(f === 'last' ? { help: t('trace.lastHelp') } : {}),
      })),
      submit: t('trace.submit'),
      onSubmit: async (v) =>
        void (location.hash = `#/trace/${seg(new URLSearchParams(Object.entries(v).filter(([, x]) => x) as [string, string][]).toString())}`),
    }),
    result ? (result.messages.length ? result.messages.map(message) : h('p', {}, t('trace.none'))) : null,
    result?.truncated ? h('p', { class: 'warning' }, t('trace.truncated')) : null,
  );
}
