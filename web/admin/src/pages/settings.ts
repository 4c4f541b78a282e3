import { get, put, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { form } from '../forms.js';
import { t } from '../i18n.js';

/** Settings pages by area: each lists the schema's keys under some prefixes. */
const AREAS: Record<string, string[]> = {
  mta: ['server.', 'smtp.', 'queue.', 'remote.', 'authenticity.', 'policy.'],
  spam: ['spam.', 'scan.', 'virus.', 'antivirus.'],
  antivirus: ['antivirus.'],
  mailbox: ['mailbox.', 'imap.', 'pop3.', 'sieve.'],
  all: [''],
};

/** One form per setting, generated from the config schema: its help text, and the server's error inline. */
function settingForm(e: any): HTMLFormElement {
  const bool = e.type === 'boolean';
  return form({
    className: 'setting',
    fields: [
      {
        name: e.key,
        label: e.key,
        type: bool ? 'checkbox' : e.choices ? 'select' : e.type.startsWith('list') ? 'textarea' : 'text',
        value: bool ? e.value === 'yes' : e.value,
        ...(e.choices ? { options: e.choices } : {}),
        help: `${e.description} (${e.type}; ${t('settings.default')}: ${e.default ?? '—'}${e.reload === 'restart' ? `; ${t('settings.restart')}` : ''})`,
      },
    ],
    submit: t('common.save'),
    onSubmit: (v) =>
      put(`/config/${seg(e.key)}`, { value: bool ? (v[e.key] ? 'yes' : 'no') : String(v[e.key]) }),
  });
}

export async function settingsPage(main: HTMLElement, [area = 'mta']: string[]): Promise<void> {
  const prefixes = AREAS[area] ?? AREAS.all!;
  const entries = (await get('/config')).filter((e: any) => prefixes.some((p) => e.key.startsWith(p)));
  replace(
    main,
    h('h1', {}, t('nav.settings'), ' — ', t(`settings.${area}`)),
    h(
      'nav',
      { 'aria-label': t('settings.areas') },
      Object.keys(AREAS).map((a) => [
        h(
          'a',
          { href: `#/settings/${a}`, 'aria-current': a === area ? 'page' : undefined },
          t(`settings.${a}`),
        ),
        ' ',
      ]),
    ),
    entries.length ? entries.map(settingForm) : h('p', {}, t('settings.noneHere')),
  );
}
