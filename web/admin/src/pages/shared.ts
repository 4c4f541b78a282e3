import { post, seg } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { form } from '../forms.js';
import { t } from '../i18n.js';

const RIGHTS = ['read', 'write', 'sendAs', 'sendOnBehalf'] as const;

/** One row of the grant table: who, and four tick boxes. */
function grantRow(): HTMLTableRowElement {
  const id = uid('grantee');
  return h(
    'tr',
    { class: 'grant' },
    h(
      'td',
      {},
      h('label', { for: id, class: 'visually-hidden' }, t('shared.grantee')),
      h('input', { id, name: 'grantee', placeholder: t('shared.granteeHelp') }),
    ),
    RIGHTS.map((r) => h('td', {}, h('input', { type: 'checkbox', name: r, 'aria-label': t(`shared.${r}`) }))),
  );
}

/** A shared mailbox in one form: the mailbox, who gets it, what they may do with it. */
export async function sharedPage(main: HTMLElement): Promise<void> {
  const body = h('tbody', {}, grantRow(), grantRow(), grantRow());
  const grants = h(
    'fieldset',
    {},
    h('legend', {}, t('shared.grants')),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('shared.grantee')),
          RIGHTS.map((r) => h('th', { scope: 'col' }, t(`shared.${r}`))),
        ),
      ),
      body,
    ),
    h('button', { type: 'button', onclick: () => body.append(grantRow()) }, t('shared.addRow')),
  );
  const f = form({
    legend: t('shared.create'),
    fields: [
      { name: 'address', label: t('shared.address'), type: 'email', required: true },
      { name: 'displayName', label: t('shared.displayName') },
    ],
    submit: t('common.create'),
    async onSubmit(v) {
      const rows = [...body.querySelectorAll('tr')].map((tr) => {
        const box = (n: string) => (tr.querySelector(`input[name="${n}"]`) as HTMLInputElement).checked;
        return {
          grantee: (tr.querySelector('input[name="grantee"]') as HTMLInputElement).value.trim(),
          read: box('read'),
          write: box('write'),
          sendAs: box('sendAs'),
          sendOnBehalf: box('sendOnBehalf'),
        };
      });
      const a = await post('/shared-mailboxes', {
        address: v.address,
        displayName: v.displayName,
        grants: rows.filter((r) => r.grantee),
      });
      location.hash = `#/folders/${seg(a.address)}`;
    },
  });
  f.querySelector('.actions')!.before(grants);
  replace(main, h('h1', {}, t('nav.shared')), f);
}
