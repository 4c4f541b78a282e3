import { del, get, seg } from '../api.js';
import { formatBytes, h, replace } from '../dom.js';
import { action, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload } from '../session.js';

const yesNo = (b: boolean) => (b ? t('common.yes') : t('common.no'));

/** clamd's state as clamd reports it, the settings in force (changed on the settings page) and the quarantine. */
export async function antivirusPage(main: HTMLElement): Promise<void> {
  const [av, quarantine] = await Promise.all([get('/antivirus'), get('/antivirus/quarantine')]);
  const c = av.clamd;
  const state = c.address === null ? 'off' : c.reachable ? 'up' : 'down';
  const rows: [string, string | number][] = [
    [t('antivirus.clamd'), c.address ?? t('antivirus.notSet')],
    [t('antivirus.state'), t(`antivirus.state.${state}`)],
    ...(c.error ? [[t('antivirus.error'), c.error] as [string, string]] : []),
    ...(c.reachable
      ? ([
          [t('antivirus.engine'), c.version.engine],
          [t('antivirus.dbVersion'), c.version.dbVersion ?? '—'],
          [t('antivirus.dbDate'), c.version.dbDate ?? '—'],
          [
            t('antivirus.threads'),
            c.stats.threads
              ? t('antivirus.threadCounts', {
                  live: c.stats.threads.live,
                  idle: c.stats.threads.idle,
                  max: c.stats.threads.max,
                })
              : '—',
          ],
          [t('antivirus.queue'), c.stats.queueItems ?? '—'],
          [t('antivirus.memory'), c.stats.memoryMb === null ? '—' : `${c.stats.memoryMb} MB`],
        ] as [string, string | number][])
      : []),
    [t('antivirus.scanning'), yesNo(av.scanning)],
    [t('antivirus.failOpen'), yesNo(av.failOpen)],
    [t('antivirus.quarantine'), yesNo(av.quarantine)],
    [t('antivirus.maxPart'), formatBytes(av.maxPartSize)],
  ];
  replace(
    main,
    h('h1', {}, t('nav.antivirus')),
    h(
      'dl',
      { class: 'facts', 'data-state': state },
      rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    h('p', {}, h('a', { href: '#/settings/antivirus' }, t('antivirus.change'))),
    h('h2', {}, t('antivirus.quarantined')),
    table(
      [
        t('logs.time'),
        t('antivirus.virus'),
        t('logs.sender'),
        t('antivirus.recipients'),
        t('queue.size'),
        '',
      ],
      quarantine.map((e: any) => [
        new Date(e.createdAt).toISOString(),
        e.virus,
        e.sender || '<>',
        e.recipients.join(', '),
        formatBytes(e.size),
        action(t('common.delete'), async () => (await del(`/antivirus/quarantine/${seg(e.id)}`), reload()), {
          danger: true,
        }),
      ]),
    ),
  );
}
