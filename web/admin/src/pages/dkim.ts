import { get, post } from '../api.js';
import { h, replace } from '../dom.js';
import { form, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload, session } from '../session.js';

export async function dkimPage(main: HTMLElement): Promise<void> {
  const s = session()!;
  const keys = await get(
    s.role === 'server-admin' ? '/dkim' : `/dkim?domain=${encodeURIComponent(s.domain)}`,
  );
  replace(
    main,
    h('h1', {}, t('nav.dkim')),
    table(
      [t('dkim.domain'), t('dkim.selector'), t('dkim.algorithm'), t('dkim.active'), t('dkim.record')],
      keys.map((k: any) => [
        k.domain,
        k.selector,
        k.algorithm,
        k.active ? t('common.yes') : t('common.no'),
        h('code', { class: 'record' }, `${k.record.name}. IN TXT "${k.record.value}"`),
      ]),
    ),
    form({
      legend: t('dkim.generate'),
      fields: [
        {
          name: 'domain',
          label: t('dkim.domain'),
          required: true,
          value: s.role === 'server-admin' ? '' : s.domain,
        },
        { name: 'selector', label: t('dkim.selector'), help: t('dkim.selectorHelp') },
        { name: 'algorithm', label: t('dkim.algorithm'), type: 'select', options: ['rsa', 'ed25519'] },
      ],
      submit: t('dkim.generate'),
      async onSubmit(v) {
        await post('/dkim', {
          domain: v.domain,
          algorithm: v.algorithm,
          ...(v.selector ? { selector: v.selector } : {}),
        });
        reload();
      },
    }),
  );
}
