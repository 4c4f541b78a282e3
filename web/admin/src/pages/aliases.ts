import { del, get, post, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { action, form, lines, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload } from '../session.js';

/** The aliases list and the SCOoffice "Create Alias" form. */
export async function aliasesPage(main: HTMLElement): Promise<void> {
  const aliases = await get('/aliases');
  replace(
    main,
    h('h1', {}, t('nav.aliases')),
    table(
      [t('aliases.address'), t('aliases.members'), t('aliases.owners'), t('aliases.restricted'), ''],
      aliases.map((a: any) => [
        a.address,
        a.members.join(', '),
        a.owners.join(', '),
        a.restricted ? t('common.yes') : t('common.no'),
        action(t('common.delete'), async () => (await del(`/aliases/${seg(a.address)}`), reload()), {
          danger: true,
        }),
      ]),
    ),
    form({
      legend: t('aliases.create'),
      fields: [
        { name: 'address', label: t('aliases.address'), type: 'email', required: true },
        { name: 'members', label: t('aliases.members'), type: 'textarea', help: t('aliases.membersHelp') },
        { name: 'owners', label: t('aliases.owners'), type: 'textarea', help: t('aliases.ownersHelp') },
        {
          name: 'restricted',
          label: t('aliases.restricted'),
          type: 'checkbox',
          help: t('aliases.restrictedHelp'),
        },
        { name: 'allowedSenders', label: t('aliases.allowedSenders'), type: 'textarea' },
        { name: 'membersMaySend', label: t('aliases.membersMaySend'), type: 'checkbox', value: true },
      ],
      submit: t('common.create'),
      async onSubmit(v) {
        await post('/aliases', {
          address: v.address,
          members: lines(v.members),
          owners: lines(v.owners),
          restricted: v.restricted,
          allowedSenders: lines(v.allowedSenders),
          membersMaySend: v.membersMaySend,
        });
        reload();
      },
    }),
  );
}
