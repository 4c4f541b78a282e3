import { ApiError, del, get, post, put, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { action, table } from '../forms.js';
import { t } from '../i18n.js';
import { reload, session } from '../session.js';

const RULES_SCRIPT = 'mailstead-rules';

interface Problem {
  message: string;
  line: number;
  column: number;
}

/**
 * The raw Sieve editor: line numbers beside the script, checked by the server while typing;
 * a compile error is shown with its line, and that line's number is marked in the gutter.
 */
function editor(address: string, name: string, content: string, active: boolean): HTMLElement {
  const base = `/accounts/${seg(address)}`;
  const text = h(
    'textarea',
    {
      id: 'sieve-script',
      name: 'script',
      rows: 18,
      spellcheck: 'false',
      wrap: 'off',
      'aria-describedby': 'sieve-problem',
    },
    content,
  );
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const problem = h('p', { id: 'sieve-problem', class: 'sieve-problem', role: 'status' });
  const nameInput = h('input', { id: 'sieve-name', name: 'name', value: name, required: true });
  const activate = h('input', { id: 'sieve-active', type: 'checkbox', checked: active });
  const status = h('p', { class: 'form-status', role: 'status' });

  const show = (p: Problem | null) => {
    const lines = text.value.split('\n').length;
    gutter.replaceChildren(
      ...Array.from({ length: lines }, (_, i) =>
        h('span', { class: p && p.line === i + 1 ? 'bad' : '' }, `${i + 1}\n`),
      ),
    );
    problem.textContent = p ? p.message : t('sieve.noErrors');
    problem.classList.toggle('error', Boolean(p));
    text.setAttribute('aria-invalid', p ? 'true' : 'false');
  };
  let timer: number | undefined;
  let asked = 0;
  const check = async () => {
    const mine = ++asked;
    try {
      const r = await post(`${base}/sieve-check`, { content: text.value });
      if (mine === asked) show(r.error);
    } catch (e) {
      if (mine === asked) problem.textContent = (e as Error).message;
    }
  };
  text.addEventListener('input', () => {
    show(null);
    problem.textContent = t('sieve.checking');
    clearTimeout(timer);
    timer = window.setTimeout(() => void check(), 300);
  });
  text.addEventListener('scroll', () => (gutter.scrollTop = text.scrollTop));
  show(null);
  void check();

  const form = h(
    'form',
    { class: 'form sieve-editor', novalidate: true },
    h('h3', {}, t('sieve.editor')),
    h('div', { class: 'field' }, h('label', { for: 'sieve-name' }, t('sieve.name')), nameInput),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'sieve-script' }, t('sieve.script')),
      h('div', { class: 'code' }, gutter, text),
      problem,
    ),
    h(
      'div',
      { class: 'field field-checkbox' },
      activate,
      h('label', { for: 'sieve-active' }, t('sieve.activate')),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.save'))),
    status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = '';
    try {
      await put(`${base}/sieve/${seg(nameInput.value)}`, { content: text.value, active: activate.checked });
      const target = `#/sieve/${seg(address)}/${seg(nameInput.value)}`;
      if (location.hash === target) reload();
      else location.hash = target;
    } catch (e) {
      if (e instanceof ApiError && e.line !== undefined)
        show({ message: e.message, line: e.line, column: e.column ?? 1 });
      else status.textContent = (e as Error).message;
    }
  });
  return form;
}

/** An account's Sieve scripts (which is active), and the editor for one of them or a new one. */
export async function sievePage(
  main: HTMLElement,
  [address = session()?.address ?? '', name]: string[],
): Promise<void> {
  const base = `/accounts/${seg(address)}`;
  const scripts = await get(`${base}/sieve`);
  const current = name ? await get(`${base}/sieve/${seg(name)}`) : null;
  replace(
    main,
    h('h1', {}, t('nav.sieve'), ' — ', address),
    h('p', { class: 'help' }, t('sieve.intro')),
    table(
      [t('sieve.name'), t('sieve.active'), t('queue.size'), ''],
      scripts.map((s: any) => [
        s.name === RULES_SCRIPT ? s.name : h('a', { href: `#/sieve/${seg(address)}/${seg(s.name)}` }, s.name),
        s.active ? t('common.yes') : t('common.no'),
        s.size,
        h(
          'span',
          {},
          s.active
            ? action(
                t('sieve.deactivate'),
                async () => (await put(`${base}/sieve-active`, { name: null }), reload()),
              )
            : action(
                t('sieve.makeActive'),
                async () => (await put(`${base}/sieve-active`, { name: s.name }), reload()),
              ),
          s.name === RULES_SCRIPT || s.active
            ? null
            : action(t('common.delete'), async () => (await del(`${base}/sieve/${seg(s.name)}`), reload()), {
                danger: true,
              }),
        ),
      ]),
    ),
    h('p', {}, h('a', { href: `#/sieve/${seg(address)}` }, t('sieve.new'))),
    editor(
      address,
      current?.name ?? '',
      current?.content ?? 'require ["fileinto"];\n\n',
      current?.active ?? false,
    ),
  );
}
