import { del, get, patch, post, put, seg } from '../api.js';
import { formatBytes, h, replace } from '../dom.js';
import { action, form, lines, mb, table, usageBar } from '../forms.js';
import { t } from '../i18n.js';
import { reload, session } from '../session.js';

const PAGE = 50;
const ROLES = ['user', 'group-admin', 'domain-admin', 'server-admin'];

/** Accounts a page at a time (the API pages too: 10 000 accounts never load at once). */
export async function accountsPage(
  main: HTMLElement,
  [domain = '', pageText = '0']: string[],
): Promise<void> {
  const page = Number(pageText) || 0;
  const [list, domains] = await Promise.all([
    get(`/accounts?limit=${PAGE}&offset=${page * PAGE}${domain ? `&domain=${seg(domain)}` : ''}`),
    get('/domains').catch(() => []),
  ]);
  const link = (p: number) => `#/accounts/${seg(domain)}/${p}`;
  replace(
    main,
    h('h1', {}, t('nav.accounts'), domain ? ` — ${domain}` : ''),
    h(
      'p',
      {},
      domains.map((d: any) => [h('a', { href: `#/accounts/${seg(d.domain.name)}` }, d.domain.name), ' ']),
    ),
    table(
      [
        t('accounts.address'),
        t('accounts.displayName'),
        t('accounts.role'),
        t('accounts.enabled'),
        t('accounts.quota'),
      ],
      list.accounts.map((a: any) => [
        h('a', { href: `#/account/${seg(a.address)}` }, a.address),
        a.displayName,
        t(`role.${a.role}`),
        a.enabled ? t('common.yes') : t('common.no'),
        formatBytes(a.quotaBytes),
      ]),
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': t('common.pages') },
      page > 0 ? h('a', { href: link(page - 1) }, t('common.previous')) : null,
      ' ',
      list.more ? h('a', { href: link(page + 1) }, t('common.next')) : null,
    ),
    form({
      legend: t('accounts.create'),
      fields: [
        {
          name: 'address',
          label: t('accounts.address'),
          type: 'email',
          required: true,
          ...(domain ? { placeholder: `name@${domain}` } : {}),
        },
        { name: 'displayName', label: t('accounts.displayName') },
        { name: 'password', label: t('accounts.password'), type: 'password', required: true },
        { name: 'quota', label: t('accounts.quotaMb'), type: 'number' },
        {
          name: 'role',
          label: t('accounts.role'),
          type: 'select',
          options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })),
          value: 'user',
        },
      ],
      submit: t('common.create'),
      async onSubmit(v) {
        const a = await post('/accounts', {
          address: v.address,
          displayName: v.displayName,
          password: v.password,
          quotaBytes: mb(v.quota),
          role: v.role,
        });
        location.hash = `#/account/${seg(a.address)}`;
      },
    }),
  );
}

export async function accountPage(
  main: HTMLElement,
  [address = session()?.address ?? '']: string[],
): Promise<void> {
  const path = `/accounts/${seg(address)}`;
  const { account: a, quota, sendGrants } = await get(path);
  const self = session()?.address === a.address;
  replace(
    main,
    h('h1', {}, a.address),
    h(
      'p',
      {},
      h('a', { href: `#/folders/${seg(a.address)}` }, t('nav.folders')),
      ' · ',
      h('a', { href: `#/filters/${seg(a.address)}` }, t('nav.filters')),
    ),
    h(
      'section',
      {},
      h('h2', {}, t('accounts.usage')),
      usageBar(quota.usedBytes, quota.maxBytes, formatBytes),
    ),
    form({
      legend: t('accounts.edit'),
      fields: [
        { name: 'displayName', label: t('accounts.displayName'), value: a.displayName },
        ...(self
          ? []
          : [
              {
                name: 'role',
                label: t('accounts.role'),
                type: 'select' as const,
                options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })),
                value: a.role,
              },
              {
                name: 'quota',
                label: t('accounts.quotaMb'),
                type: 'number' as const,
                value: a.quotaBytes === null ? '' : Math.round(a.quotaBytes / 1048576),
              },
              {
                name: 'receiveLocalOnly',
                label: t('accounts.receiveLocalOnly'),
                type: 'checkbox' as const,
                value: a.receiveLocalOnly,
              },
              { name: 'webmail', label: t('accounts.webmail'), type: 'checkbox' as const, value: a.webmail },
            ]),
        {
          name: 'forwardTo',
          label: t('accounts.forwardTo'),
          type: 'textarea',
          value: a.forwardTo.join('\n'),
          help: t('accounts.forwardHelp'),
        },
        {
          name: 'forwardKeepCopy',
          label: t('accounts.forwardKeepCopy'),
          type: 'checkbox',
          value: a.forwardKeepCopy,
        },
      ],
      submit: t('common.save'),
      async onSubmit(v) {
        const common = {
          displayName: v.displayName,
          forwardTo: lines(v.forwardTo),
          forwardKeepCopy: v.forwardKeepCopy,
        };
        await patch(
          path,
          self
            ? common
            : {
                ...common,
                role: v.role,
                quotaBytes: mb(v.quota),
                receiveLocalOnly: v.receiveLocalOnly,
                webmail: v.webmail,
              },
        );
      },
    }),
    form({
      legend: t('accounts.setPassword'),
      fields: [{ name: 'password', label: t('accounts.password'), type: 'password', required: true }],
      submit: t('common.save'),
      onSubmit: (v) => put(`${path}/password`, { password: v.password }),
    }),
    self
      ? null
      : h(
          'p',
          {},
          action(
            a.enabled ? t('accounts.disable') : t('accounts.enable'),
            async () => (await put(`${path}/enabled`, { enabled: !a.enabled }), reload()),
          ),
        ),
    h(
      'section',
      {},
      h('h2', {}, t('accounts.sendGrants')),
      table(
        [t('accounts.grantee'), t('accounts.permission'), ''],
        sendGrants.map((g: any) => [
          g.grantee,
          t(`permission.${g.permission}`),
          action(
            t('common.remove'),
            async () => (
              await del(`${path}/send-grants?grantee=${seg(g.grantee)}&permission=${g.permission}`),
              reload()
            ),
          ),
        ]),
      ),
      form({
        fields: [
          { name: 'grantee', label: t('accounts.grantee'), required: true, help: t('accounts.granteeHelp') },
          {
            name: 'permission',
            label: t('accounts.permission'),
            type: 'select',
            options: ['send-as', 'send-on-behalf'].map((p) => ({ value: p, label: t(`permission.${p}`) })),
          },
        ],
        submit: t('accounts.grant'),
        async onSubmit(v) {
          await post(`${path}/send-grants`, { grantee: v.grantee, permission: v.permission });
          reload();
        },
      }),
    ),
    self
      ? null
      : h(
          'p',
          {},
          action(t('common.delete'), async () => (await del(path), (location.hash = '#/accounts')), {
            danger: true,
          }),
        ),
  );
}
