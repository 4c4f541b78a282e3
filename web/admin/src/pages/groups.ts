import { del, get, post, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { action, form, lines, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload } from '../session.js';

/** Groups (organisational units) with their delegated local admins. */
export async function groupsPage(main: HTMLElement): Promise<void> {
  const groups = await get('/groups');
  const names = groups.map((g: any) => g.name as string);
  const parentOf = new Map(groups.map((g: any) => [g.id, g.name]));
  replace(
    main,
    h('h1', {}, t('nav.groups')),
    table(
      [t('groups.name'), t('groups.parent'), t('groups.domain'), t('groups.admins'), ''],
      groups.map((g: any) => [
        g.name,
        g.parentId === null ? '' : (parentOf.get(g.parentId) ?? ''),
        g.domain ?? '',
        g.admins.join(', '),
        action(t('common.delete'), async () => (await del(`/groups/${seg(g.name)}`), reload()), {
          danger: true,
        }),
      ]),
    ),
    form({
      legend: t('groups.create'),
      fields: [
        { name: 'name', label: t('groups.name'), required: true },
        { name: 'parent', label: t('groups.parent'), type: 'select', options: ['', ...names] },
        { name: 'domain', label: t('groups.domain') },
      ],
      submit: t('common.create'),
      async onSubmit(v) {
        await post('/groups', { name: v.name, parent: v.parent || null, domain: v.domain || null });
        reload();
      },
    }),
    form({
      legend: t('groups.addMembers'),
      fields: [
        { name: 'group', label: t('groups.name'), type: 'select', options: names },
        { name: 'accounts', label: t('groups.accounts'), type: 'textarea', required: true },
      ],
      submit: t('common.add'),
      onSubmit: (v) => post(`/groups/${seg(String(v.group))}/members`, { accounts: lines(v.accounts) }),
    }),
    form({
      legend: t('groups.addAdmin'),
      fields: [
        { name: 'group', label: t('groups.name'), type: 'select', options: names },
        { name: 'account', label: t('groups.admin'), type: 'email', required: true },
      ],
      submit: t('common.add'),
      async onSubmit(v) {
        await post(`/groups/${seg(String(v.group))}/admins`, { account: v.account });
        reload();
      },
    }),
  );
}
