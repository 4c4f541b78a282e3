import { get, post, seg } from '../api.js';
import { formatBytes, h, replace } from '../dom.js';
import { action, form } from '../forms.js';
import { t } from '../i18n.js';
import { reload } from '../session.js';

const PAGE = 100;
const STATES = ['', 'queued', 'deferred', 'held'];

/**
 * Queue: counts, a filtered page of recipients with actions on the ticked ones, a test message.
 * Pages follow the server's cursor (`after`), so page 900 of a big queue is as fast as page 1;
 * the cursors of the pages before are kept in the route so "Previous" needs no offset either.
 */
export async function queuePage(main: HTMLElement, [query = '', trail = '']: string[]): Promise<void> {
  const filter = new URLSearchParams(query);
  const cursors = trail ? trail.split(',') : [];
  const after = cursors.at(-1);
  const [stats, list] = await Promise.all([
    get('/queue/stats'),
    get(`/queue?${filter}&limit=${PAGE}${after ? `&after=${seg(after)}` : ''}`),
  ]);
  const picked = () =>
    [...main.querySelectorAll<HTMLInputElement>('input[name="pick"]:checked')].map((i) => i.value);
  const run = (act: string) =>
    action(
      t(`queue.${act}`),
      async () => (await post('/queue/actions', { action: act, queueIds: picked() }), reload()),
      { danger: act === 'delete' },
    );
  const filterBody = Object.fromEntries([...filter].filter(([, v]) => v));
  const link = (c: string[]) => `#/queue/${seg(filter.toString())}/${seg(c.join(','))}`;
  replace(
    main,
    h('h1', {}, t('nav.queue')),
    h(
      'dl',
      { class: 'counts' },
      (['total', 'queued', 'deferred', 'held', 'local', 'remote'] as const).map((k) => [
        h('dt', {}, t(`queue.${k}`)),
        h('dd', {}, stats[k]),
      ]),
    ),
    form({
      className: 'inline filters',
      fields: [
        {
          name: 'state',
          label: t('queue.state'),
          type: 'select',
          options: STATES.map((s) => ({ value: s, label: s ? t(`queue.${s}`) : t('common.any') })),
          value: filter.get('state') ?? '',
        },
        { name: 'sender', label: t('queue.sender'), value: filter.get('sender') ?? '' },
        { name: 'recipient', label: t('queue.recipient'), value: filter.get('recipient') ?? '' },
        { name: 'domain', label: t('queue.domain'), value: filter.get('domain') ?? '' },
      ],
      submit: t('common.filter'),
      onSubmit: async (v) =>
        void (location.hash = `#/queue/${seg(new URLSearchParams(Object.entries(v).filter(([, x]) => x) as [string, string][]).toString())}`),
    }),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            '',
            t('queue.id'),
            t('queue.sender'),
            t('queue.recipient'),
            t('queue.state'),
            t('queue.size'),
            t('queue.age'),
            t('queue.lastReply'),
          ].map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        list.items.map((i: any) =>
          h(
            'tr',
            {},
            h(
              'td',
              {},
              h('input', {
                type: 'checkbox',
                name: 'pick',
                value: i.queueId,
                'aria-label': t('queue.pick', { id: i.queueId }),
              }),
            ),
            h('td', {}, h('a', { href: `#/trace/${seg(`queueId=${i.queueId}`)}` }, i.queueId)),
            h('td', {}, i.sender || '<>'),
            h('td', {}, i.recipient),
            h('td', {}, t(`queue.${i.state}`)),
            h('td', {}, formatBytes(i.size)),
            h('td', {}, `${Math.round(i.ageSeconds / 60)} min`),
            h('td', {}, i.lastReply ?? ''),
          ),
        ),
      ),
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': t('common.pages') },
      cursors.length > 0 ? h('a', { href: link(cursors.slice(0, -1)) }, t('common.previous')) : null,
      ' ',
      h('span', { class: 'page-number' }, t('queue.page', { n: cursors.length + 1 })),
      ' ',
      list.next ? h('a', { href: link([...cursors, list.next]) }, t('common.next')) : null,
    ),
    h(
      'p',
      { class: 'toolbar' },
      ['delete', 'hold', 'release', 'retry'].map(run),
      action(
        t('queue.purgeFiltered'),
        async () => (await post('/queue/actions', { action: 'purge', filter: filterBody }), reload()),
        { danger: true },
      ),
      action(t('queue.process'), async () => (await post('/queue/process'), reload())),
    ),
    form({
      legend: t('queue.test'),
      fields: [
        { name: 'from', label: t('queue.from'), type: 'email', required: true },
        { name: 'to', label: t('queue.to'), type: 'email', required: true },
      ],
      submit: t('queue.send'),
      onSubmit: (v) => post('/queue/test', { from: v.from, to: v.to }),
    }),
  );
}
