import { del, get, post, seg } from '../api.js';
import { formatBytes, h, replace } from '../dom.js';
import { action, form, mb, optionalInt, table, usageBar } from '../forms.js';
import { t } from '../i18n.js';
import { reload, session } from '../session.js';

export async function domainsPage(main: HTMLElement): Promise<void> {
  const domains = await get('/domains');
  const admin = session()?.role === 'server-admin';
  replace(
    main,
    h('h1', {}, t('nav.domains')),
    table(
      [t('domains.name'), t('domains.accounts'), t('domains.aliases'), t('domains.storage'), ''],
      domains.map((d: any) => [
        h(
          'a',
          { href: `#/accounts/${seg(d.domain.name)}` },
          d.domain.name,
          d.domain.aliasOf ? ` → ${d.domain.aliasOf}` : '',
        ),
        usageBar(d.usage.accounts.used, d.usage.accounts.max),
        usageBar(d.usage.aliases.used, d.usage.aliases.max),
        usageBar(d.usage.storage.used, d.usage.storage.max, formatBytes),
        admin
          ? action(t('common.delete'), async () => (await del(`/domains/${seg(d.domain.name)}`), reload()), {
              danger: true,
            })
          : '',
      ]),
    ),
    admin &&
      form({
        legend: t('domains.add'),
        fields: [
          { name: 'name', label: t('domains.name'), required: true },
          { name: 'aliasOf', label: t('domains.aliasOf') },
          { name: 'maxAccounts', label: t('domains.maxAccounts'), type: 'number' },
          { name: 'maxStorage', label: t('domains.maxStorageMb'), type: 'number' },
        ],
        submit: t('common.create'),
        async onSubmit(v) {
          await post('/domains', {
            name: v.name,
            aliasOf: v.aliasOf || null,
            maxAccounts: optionalInt(v.maxAccounts),
            maxStorage: mb(v.maxStorage),
          });
          reload();
        },
      }),
  );
}
