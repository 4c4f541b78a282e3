import { del, get, patch, post, put, seg } from '../api.js';
import { formatBytes, h, replace } from '../dom.js';
import { action, form, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload, session } from '../session.js';

const TYPES = ['mail', 'calendar', 'contacts', 'journal', 'notes', 'tasks'];

interface AclColumn {
  name: string;
  rights: string;
}

/** The ACL matrix: rows users and groups ($name), a column per right; saved as a whole. */
function aclEditor(
  base: string,
  columns: AclColumn[],
  entries: { identifier: string; columns: string[] }[],
): HTMLElement {
  const body = h('tbody', {});
  const row = (identifier: string, on: string[]) =>
    h(
      'tr',
      { 'data-identifier': identifier },
      h('th', { scope: 'row' }, identifier),
      columns.map((c) =>
        h(
          'td',
          {},
          h('input', {
            type: 'checkbox',
            name: c.name,
            checked: on.includes(c.name),
            'aria-label': `${identifier}: ${t(`acl.${c.name}`)}`,
          }),
        ),
      ),
    );
  for (const e of entries) body.append(row(e.identifier, e.columns));
  const status = h('p', { role: 'status' });
  const save = async () => {
    const rows = [...body.querySelectorAll('tr')].map((tr) => ({
      identifier: tr.getAttribute('data-identifier')!,
      columns: [...tr.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.name),
    }));
    try {
      await put(`${base}/acl`, { entries: rows });
      status.textContent = t('common.saved');
    } catch (e) {
      status.textContent = (e as Error).message;
    }
  };
  return h(
    'section',
    { class: 'acl' },
    h('h2', {}, t('folders.acl')),
    h(
      'table',
      { class: 'matrix' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('folders.identifier')),
          columns.map((c) => h('th', { scope: 'col', title: c.rights }, t(`acl.${c.name}`))),
        ),
      ),
      body,
    ),
    form({
      className: 'inline',
      fields: [
        {
          name: 'identifier',
          label: t('folders.addIdentifier'),
          help: t('folders.identifierHelp'),
          required: true,
        },
      ],
      submit: t('common.add'),
      async onSubmit(v) {
        body.append(row(String(v.identifier).trim(), ['lookup', 'read']));
      },
    }),
    h('button', { type: 'button', class: 'primary', onclick: () => void save() }, t('folders.saveAcl')),
    status,
  );
}

export async function foldersPage(
  main: HTMLElement,
  [address = session()?.address ?? '', folderId]: string[],
): Promise<void> {
  const base = `/accounts/${seg(address)}/folders`;
  const folders = await get(base);
  const picked = folderId ? folders.find((f: any) => String(f.id) === folderId) : undefined;
  const acl = picked ? await get(`${base}/${picked.id}/acl`) : undefined;
  replace(
    main,
    h('h1', {}, t('nav.folders'), ' — ', address),
    form({
      className: 'inline',
      fields: [
        { name: 'address', label: t('folders.account'), value: address, help: t('folders.accountHelp') },
      ],
      submit: t('common.open'),
      onSubmit: async (v) => void (location.hash = `#/folders/${seg(String(v.address))}`),
    }),
    table(
      [
        t('folders.name'),
        t('folders.type'),
        t('folders.messages'),
        t('folders.size'),
        t('folders.rights'),
        '',
      ],
      folders.map((f: any) => [
        h('a', { href: `#/folders/${seg(address)}/${f.id}` }, f.name),
        t(`folderType.${f.type}`),
        f.messages,
        formatBytes(f.size),
        f.rights,
        f.name === 'INBOX'
          ? ''
          : action(t('common.delete'), async () => (await del(`${base}/${f.id}`), reload()), {
              danger: true,
            }),
      ]),
    ),
    picked &&
      form({
        legend: t('folders.rename', { name: picked.name }),
        fields: [{ name: 'name', label: t('folders.newName'), value: picked.name, required: true }],
        submit: t('common.save'),
        async onSubmit(v) {
          await patch(`${base}/${picked.id}`, { name: v.name });
          reload();
        },
      }),
    picked && acl ? aclEditor(`${base}/${picked.id}`, acl.columns, acl.entries) : null,
    form({
      legend: t('folders.create'),
      fields: [
        { name: 'name', label: t('folders.name'), required: true },
        {
          name: 'type',
          label: t('folders.type'),
          type: 'select',
          options: TYPES.map((x) => ({ value: x, label: t(`folderType.${x}`) })),
        },
      ],
      submit: t('common.create'),
      async onSubmit(v) {
        const f = await post(base, { name: v.name, type: v.type });
        location.hash = `#/folders/${seg(address)}/${f.id}`;
      },
    }),
  );
}
