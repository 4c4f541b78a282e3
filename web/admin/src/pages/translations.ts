import { del, get, put, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { action, form } from '../forms.js';
import { locale, t } from '../i18n.js';
import { reload } from '../session.js';

/** Every UI string of a locale, each with a field to override it (and a button to drop the override). */
export async function translationsPage(main: HTMLElement, [l = locale]: string[]): Promise<void> {
  const [all, overrides] = await Promise.all([get(`/i18n/${seg(l)}`), get(`/i18n/${seg(l)}/overrides`)]);
  replace(
    main,
    h('h1', {}, t('nav.translations'), ' — ', l),
    form({
      className: 'inline',
      fields: [{ name: 'locale', label: t('translations.locale'), value: l }],
      submit: t('common.open'),
      onSubmit: async (v) => void (location.hash = `#/translations/${seg(String(v.locale))}`),
    }),
    h(
      'div',
      { class: 'strings' },
      Object.keys(all)
        .sort()
        .map((key) =>
          h(
            'div',
            { class: key in overrides ? 'overridden' : '' },
            form({
              className: 'setting',
              fields: [{ name: 'value', label: key, value: all[key] }],
              submit: t('common.save'),
              onSubmit: (v) => put(`/i18n/${seg(l)}/${seg(key)}`, { value: v.value }),
            }),
            key in overrides
              ? action(
                  t('translations.reset'),
                  async () => (await del(`/i18n/${seg(l)}/${seg(key)}`), reload()),
                )
              : null,
          ),
        ),
    ),
  );
}
