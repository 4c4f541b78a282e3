import { get, post, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { action, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload } from '../session.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

type Point = { from: number } & Record<string, number>;

/**
 * A line per series over the hours, with its totals as the accessible name (the picture alone
 * tells a screen reader nothing).
 */
function lineGraph(points: Point[], series: string[], name: string): SVGElement {
  const w = 600;
  const hgt = 160;
  const max = Math.max(1, ...points.flatMap((p) => series.map((k) => p[k] ?? 0)));
  const x = (i: number) => (i / Math.max(1, points.length - 1)) * (w - 40) + 30;
  const y = (v: number) => hgt - 20 - (v / max) * (hgt - 40);
  const g = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, role: 'img', class: 'graph' });
  const title = svg('title', {});
  title.textContent = name;
  g.append(title, svg('line', { x1: 30, y1: hgt - 20, x2: w - 10, y2: hgt - 20, class: 'axis' }));
  const label = svg('text', { x: 2, y: 20, class: 'label' });
  label.textContent = String(max);
  g.append(label);
  for (const k of series)
    g.append(
      svg('polyline', {
        points: points.map((p, i) => `${x(i)},${y(p[k] ?? 0)}`).join(' '),
        class: `series-${k}`,
      }),
    );
  return g;
}

const legend = (series: string[]) =>
  h(
    'p',
    { class: 'legend' },
    series.map((k) => [h('span', { class: `key-${k}` }, t(`dashboard.${k}`)), ' ']),
  );
const sum = (points: Point[], k: string) => points.reduce((n, p) => n + (p[k] ?? 0), 0);

/** Each scanner's results per hour flattened to the graph's series. */
function scanPoints(activity: any[]): Point[] {
  const n = (o: Record<string, number>, ...keys: string[]) => keys.reduce((a, k) => a + (o[k] ?? 0), 0);
  return activity.map((a) => ({
    from: a.from,
    ham: n(a.spam, 'accept'),
    spam: n(a.spam, 'tag', 'reject'),
    virus: n(a.virus, 'infected'),
  }));
}

function services(list: any[]): HTMLElement {
  const act = (name: string, what: string) =>
    action(t(`dashboard.${what}`), async () => (await post(`/services/${seg(name)}/${what}`), reload()), {
      danger: what === 'stop',
    });
  return table(
    [t('dashboard.service'), t('dashboard.state'), t('dashboard.address'), t('dashboard.connections'), ''],
    list.map((s) => [
      s.service,
      h('span', { class: `state state-${s.state}` }, t(`dashboard.${s.state}`)),
      s.addresses.join(', '),
      s.connections,
      s.controllable
        ? h(
            'span',
            { class: 'toggles' },
            s.state === 'running'
              ? [act(s.service, 'stop'), act(s.service, 'restart')]
              : act(s.service, 'start'),
          )
        : t('dashboard.fixed'),
    ]),
  );
}

export async function dashboardPage(main: HTMLElement): Promise<void> {
  const [status, queue, traffic, activity] = await Promise.all([
    get('/status'),
    get('/queue/stats'),
    get('/logs/traffic?hours=24'),
    get('/scan/activity?hours=24'),
  ]);
  const scans = scanPoints(activity);
  replace(
    main,
    h('h1', {}, t('nav.dashboard')),
    h('section', {}, h('h2', {}, t('dashboard.services')), services(status.services)),
    h(
      'section',
      {},
      h('h2', {}, t('dashboard.queue')),
      h(
        'dl',
        { class: 'counts' },
        (['total', 'queued', 'deferred', 'held', 'local', 'remote'] as const).map((k) => [
          h('dt', {}, t(`queue.${k}`)),
          h('dd', {}, queue[k]),
        ]),
      ),
    ),
    h(
      'section',
      {},
      h('h2', {}, t('dashboard.traffic')),
      lineGraph(
        traffic,
        ['in', 'out'],
        t('dashboard.graph', { in: sum(traffic, 'in'), out: sum(traffic, 'out') }),
      ),
      legend(['in', 'out']),
    ),
    h(
      'section',
      { class: 'scans' },
      h('h2', {}, t('dashboard.scans')),
      h(
        'dl',
        { class: 'counts' },
        (['ham', 'spam', 'virus'] as const).map((k) => [
          h('dt', {}, t(`dashboard.${k}`)),
          h('dd', { 'data-count': k }, sum(scans, k)),
        ]),
      ),
      lineGraph(
        scans,
        ['ham', 'spam', 'virus'],
        t('dashboard.scanGraph', {
          ham: sum(scans, 'ham'),
          spam: sum(scans, 'spam'),
          virus: sum(scans, 'virus'),
        }),
      ),
      legend(['ham', 'spam', 'virus']),
    ),
  );
}
