import { get, post, del, setCsrf, whenLoggedOut } from './api.js';
import { h, replace } from './dom.js';
import { form } from './forms.js';
import { loadStrings, setProductName, t } from './i18n.js';
import { pages, type Page } from './pages/index.js';
import { setSession, session } from './session.js';

const root = document.getElementById('app')!;

/** The hostname's logo, as GET /branding describes it; its colours come with brand.css. */
let logo: { url: string; width: number; height: number } | null = null;

/** The logo image, sized as stored so the layout does not jump when it loads; the name is its text. */
const logoImg = () =>
  logo &&
  h('img', { class: 'logo', src: logo.url, width: logo.width, height: logo.height, alt: t('app.name') });

function showLogin(): void {
  setSession(null);
  setCsrf(null);
  replace(
    root,
    h(
      'main',
      { class: 'login' },
      logoImg(),
      h('h1', {}, t('app.name')),
      form({
        legend: t('login.title'),
        fields: [
          { name: 'address', label: t('login.address'), type: 'email', required: true },
          { name: 'password', label: t('login.password'), type: 'password', required: true },
        ],
        submit: t('login.submit'),
        async onSubmit(v) {
          const s = await post('/session', { address: v.address, password: v.password });
          setCsrf(s.csrf);
          setSession(s.account);
          location.hash = '#/dashboard';
          render();
        },
      }),
    ),
  );
}

/** Navigation by role is a convenience only: the API refuses whatever the role may not do. */
function nav(current: string): HTMLElement {
  const role = session()?.role ?? 'user';
  const visible = pages.filter((p) => p.nav && p.roles.includes(role));
  return h(
    'nav',
    { 'aria-label': t('nav.label') },
    h(
      'ul',
      {},
      visible.map((p) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/${p.path}`, 'aria-current': p.path === current ? 'page' : undefined },
            t(`nav.${p.path}`),
          ),
        ),
      ),
    ),
  );
}

async function render(): Promise<void> {
  if (!session()) return showLogin();
  const [path = 'dashboard', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const page: Page = pages.find((p) => p.path === path) ?? pages[0]!;
  const main = h('main', { id: 'main', tabindex: -1 });
  replace(
    root,
    h('a', { class: 'skip', href: '#main' }, t('nav.skip')),
    h(
      'header',
      {},
      h('span', { class: 'brand' }, logoImg(), h('span', { class: 'brand-name' }, t('app.name'))),
      h('span', { class: 'who' }, session()!.address),
      h(
        'button',
        { type: 'button', onclick: () => void del('/session').finally(showLogin) },
        t('login.logout'),
      ),
    ),
    h('div', { class: 'layout' }, nav(page.path), main),
  );
  const started = performance.now();
  try {
    await page.render(main, rest.map(decodeURIComponent));
  } catch (e) {
    replace(main, h('p', { class: 'error', role: 'alert' }, (e as Error).message));
  }
  document.title = `${t(`nav.${page.path}`)} — ${t('app.name')}`;
  main.dataset.renderMs = String(Math.round(performance.now() - started));
  main.dataset.ready = 'true';
}

async function start(): Promise<void> {
  // Together: each is a round trip through the server, and none needs another's answer.
  const [branding, s] = await Promise.all([
    get('/branding').catch(() => ({ productName: null, logo: null })),
    get('/session').catch(() => null),
    loadStrings(),
  ]);
  setProductName(branding.productName);
  logo = branding.logo;
  whenLoggedOut(showLogin);
  setCsrf(s?.csrf ?? null);
  setSession(s?.account ?? null);
  window.addEventListener('hashchange', () => void render());
  await render();
}

void start();
