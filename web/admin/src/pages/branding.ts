import { del, get, put, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { action, form, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload, session } from '../session.js';

/** The server's limit on a logo file (LOGO_MAX.bytes in src/http/branding/branding.ts). */
const MAX_BYTES = 256 * 1024;

/** The file as base64, as the API takes it in a JSON body (bodies are JSON only, against CSRF). */
function base64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/** The logo upload: a file field and its error, shown beside it like a form field's. */
function logoUpload(scope: string): HTMLElement {
  const input = h('input', {
    id: 'brand-logo-file',
    type: 'file',
    accept: 'image/png,image/jpeg,image/gif,image/webp',
    'aria-describedby': 'brand-logo-help brand-logo-err',
  });
  const err = h('p', { class: 'error', id: 'brand-logo-err', role: 'alert' });
  const button = h('button', { type: 'button' }, t('branding.upload'));
  button.addEventListener('click', async () => {
    err.textContent = '';
    const file = input.files?.[0];
    if (!file) return void (err.textContent = t('branding.chooseFile'));
    // Said here, before a large upload is sent only to be refused (the server checks it again).
    if (file.size > MAX_BYTES)
      return void (err.textContent = t('branding.tooLarge', { kb: Math.ceil(file.size / 1024), max: MAX_BYTES / 1024 }));
    try {
      await put(`/branding/scopes/${seg(scope)}/logo`, { image: await base64(file) });
      reload();
    } catch (e) {
      err.textContent = (e as Error).message;
    }
  });
  return h(
    'div',
    { class: 'field logo-upload' },
    h('label', { for: 'brand-logo-file' }, t('branding.logoFile')),
    input,
    h('p', { class: 'help', id: 'brand-logo-help' }, t('branding.logoHelp')),
    err,
    h('div', { class: 'actions' }, button),
  );
}

/**
 * Branding per scope: `-` (the whole server, server admins only) or a domain or hostname. Each
 * field left empty falls back to the wider scope (hostname → domain → server → built in).
 */
export async function brandingPage(main: HTMLElement, [requested]: string[]): Promise<void> {
  const s = session()!;
  const scope = requested ?? (s.role === 'server-admin' ? '-' : s.domain);
  const [scopes, b] = await Promise.all([get('/branding/scopes'), get(`/branding/scopes/${seg(scope)}`)]);
  const title = scope === '-' ? t('branding.server') : scope;
  replace(
    main,
    h('h1', {}, t('nav.branding'), ' — ', title),
    table(
      [t('branding.scope'), t('branding.productName'), t('branding.logo')],
      scopes.map((x: any) => [
        h('a', { href: `#/branding/${seg(x.scope)}` }, x.scope === '-' ? t('branding.server') : x.scope),
        x.productName ?? '',
        x.logo ? `${x.logo.width}×${x.logo.height}` : '',
      ]),
      t('branding.scopes'),
    ),
    form({
      className: 'inline',
      fields: [{ name: 'scope', label: t('branding.scope'), value: scope, help: t('branding.scopeHelp') }],
      submit: t('common.open'),
      onSubmit: async (v) => void (location.hash = `#/branding/${seg(String(v.scope).trim() || '-')}`),
    }),
    form({
      legend: t('branding.look'),
      fields: [
        { name: 'productName', label: t('branding.productName'), value: b.productName },
        { name: 'accent', label: t('branding.accent'), value: b.colours.accent, placeholder: '#1f5fbf' },
        { name: 'header', label: t('branding.header'), value: b.colours.header, placeholder: '#16325c' },
        {
          name: 'headerText',
          label: t('branding.headerText'),
          value: b.colours.headerText,
          placeholder: '#ffffff',
          help: t('branding.coloursHelp'),
        },
      ],
      submit: t('common.save'),
      async onSubmit(v) {
        const orNull = (x: string | boolean | undefined) => (x === '' || x === undefined ? null : String(x));
        await put(`/branding/scopes/${seg(scope)}`, {
          productName: orNull(v.productName),
          colours: { accent: orNull(v.accent), header: orNull(v.header), headerText: orNull(v.headerText) },
        });
      },
    }),
    h(
      'section',
      { class: 'logo-section', 'aria-labelledby': 'brand-logo-h' },
      h('h2', { id: 'brand-logo-h' }, t('branding.logo')),
      b.logo
        ? h(
            'p',
            {},
            h('img', {
              class: 'logo',
              src: b.logo.url,
              width: b.logo.width,
              height: b.logo.height,
              alt: t('branding.currentLogo', { scope: title }),
            }),
            ' ',
            `${b.logo.width}×${b.logo.height}, ${b.logo.contentType}`,
            ' ',
            action(t('branding.removeLogo'), async () => (await del(`/branding/scopes/${seg(scope)}/logo`), reload())),
          )
        : h('p', {}, t('branding.noLogo')),
      logoUpload(scope),
    ),
    b.updatedAt === null
      ? null
      : action(
          t('branding.remove'),
          async () => (await del(`/branding/scopes/${seg(scope)}`), reload()),
          { danger: true },
        ),
  );
}
