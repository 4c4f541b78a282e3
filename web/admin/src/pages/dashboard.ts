import { get } from '../api.js';
import { h, replace } from '../dom.js';
import { table } from '../forms.js';
import { t } from '../i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Messages in (delivered here) and out (to other servers) per hour, as two lines. */
function trafficGraph(points: { from: number; in: number; out: number }[]): SVGElement {
  const w = 600;
  const hgt = 160;
  const max = Math.max(1, ...points.map((p) => Math.max(p.in, p.out)));
  const x = (i: number) => (i / Math.max(1, points.length - 1)) * (w - 40) + 30;
  const y = (v: number) => hgt - 20 - (v / max) * (hgt - 40);
  const g = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, role: 'img', class: 'graph' });
  const title = svg('title', {});
  title.textContent = t('dashboard.graph', {
    in: points.reduce((n, p) => n + p.in, 0),
    out: points.reduce((n, p) => n + p.out, 0),
  });
  g.append(title, svg('line', { x1: 30, y1: hgt - 20, x2: w - 10, y2: hgt - 20, class: 'axis' }));
  const label = svg('text', { x: 2, y: 20, class: 'label' });
  label.textContent = String(max);
  g.append(label);
  for (const series of ['in', 'out'] as const)
    g.append(
      svg('polyline', {
        points: points.map((p, i) => `${x(i)},${y(p[series])}`).join(' '),
        class: `series-${series}`,
      }),
    );
  return g;
}

export async function dashboardPage(main: HTMLElement): Promise<void> {
  const [status, queue, traffic] = await Promise.all([
    get('/status'),
    get('/queue/stats'),
    get('/logs/traffic?hours=24'),
  ]);
  replace(
    main,
    h('h1', {}, t('nav.dashboard')),
    h(
      'section',
      {},
      h('h2', {}, t('dashboard.services')),
      table(
        [t('dashboard.service'), t('dashboard.address'), t('dashboard.connections')],
        status.listeners.map((l: any) => [l.service, l.address, l.connections]),
      ),
    ),
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
      trafficGraph(traffic),
      h(
        'p',
        { class: 'legend' },
        h('span', { class: 'key-in' }, t('dashboard.in')),
        ' ',
        h('span', { class: 'key-out' }, t('dashboard.out')),
      ),
    ),
  );
}
