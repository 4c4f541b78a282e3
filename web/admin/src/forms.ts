import { ApiError } from './api.js';
import { h, uid, type Child } from './dom.js';
import { t } from './i18n.js';

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'number' | 'checkbox' | 'select' | 'textarea' | 'email';
  value?: string | number | boolean | null;
  options?: readonly (string | { value: string; label: string })[];
  help?: string;
  required?: boolean;
  placeholder?: string;
}

export type FormValues = Record<string, string | boolean>;

/**
 * A labelled form. Each field has its label, help and error text tied to the control
 * (for screen readers); an API error naming a field's key is shown beside that field.
 */
export function form(opts: {
  fields: FieldSpec[];
  submit: string;
  onSubmit: (v: FormValues) => Promise<unknown>;
  className?: string;
  legend?: string;
}): HTMLFormElement {
  const errors = new Map<string, HTMLElement>();
  const status = h('p', { class: 'form-status', role: 'status' });
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const rows = opts.fields.map((f) => {
    const id = uid(f.name.replace(/\W/g, '-'));
    const help = f.help ? h('p', { class: 'help', id: `${id}-help` }, f.help) : null;
    const err = h('p', { class: 'error', id: `${id}-err`, role: 'alert' });
    errors.set(f.name, err);
    const common = {
      id,
      name: f.name,
      'aria-describedby': `${help ? `${id}-help ` : ''}${id}-err`,
      required: f.required,
    };
    let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (f.type === 'select')
      control = h(
        'select',
        common,
        (f.options ?? [])
          .map((o) => (typeof o === 'string' ? { value: o, label: o } : o))
          .map((o) => h('option', { value: o.value, selected: o.value === String(f.value ?? '') }, o.label)),
      );
    else if (f.type === 'textarea')
      control = h('textarea', { ...common, rows: 3, placeholder: f.placeholder }, String(f.value ?? ''));
    else if (f.type === 'checkbox')
      control = h('input', { ...common, type: 'checkbox', checked: Boolean(f.value) });
    else
      control = h('input', {
        ...common,
        type: f.type ?? 'text',
        value: f.value === null || f.value === undefined ? '' : String(f.value),
        placeholder: f.placeholder,
        autocomplete: f.type === 'password' ? 'new-password' : 'off',
      });
    controls.set(f.name, control);
    return h(
      'div',
      { class: `field field-${f.type ?? 'text'}` },
      h('label', { for: id }, f.label),
      control,
      help,
      err,
    );
  });
  const el = h(
    'form',
    { class: opts.className ?? 'form', novalidate: true },
    opts.legend ? h('h3', {}, opts.legend) : null,
    rows,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, opts.submit)),
    status,
  );
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const e of errors.values()) e.textContent = '';
    status.textContent = '';
    const values: FormValues = {};
    for (const [name, c] of controls)
      values[name] = c instanceof HTMLInputElement && c.type === 'checkbox' ? c.checked : c.value;
    try {
      await opts.onSubmit(values);
      status.textContent = t('common.saved');
    } catch (e) {
      const key = e instanceof ApiError ? e.key : undefined;
      const target = (key && errors.get(key)) || (errors.size === 1 ? [...errors.values()][0] : undefined);
      if (target) target.textContent = (e as Error).message;
      else status.textContent = (e as Error).message;
      status.classList.toggle('failed', !target);
    }
  });
  return el;
}

export function table(headers: string[], rows: Child[][], caption?: string): HTMLTableElement {
  return h(
    'table',
    {},
    caption ? h('caption', {}, caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length
        ? rows.map((r) =>
            h(
              'tr',
              {},
              r.map((c) => h('td', {}, c)),
            ),
          )
        : h('tr', {}, h('td', { colspan: headers.length }, t('common.none'))),
    ),
  );
}

/** A usage bar with its numbers as text (the bar alone tells a screen reader nothing). */
export function usageBar(
  used: number,
  max: number | null,
  format: (n: number | null) => string = String,
): HTMLElement {
  const pct = max ? Math.min(100, Math.round((used / max) * 100)) : 0;
  return h(
    'div',
    { class: 'usage' },
    h('meter', { min: 0, max: max ?? 1, value: max ? used : 0, 'aria-label': t('common.usage') }),
    h('span', {}, `${format(used)} / ${format(max)}${max ? ` (${pct}%)` : ''}`),
  );
}

/** A button that runs an action and reports failure next to itself. */
export function action(
  label: string,
  run: () => Promise<unknown>,
  opts: { danger?: boolean } = {},
): HTMLElement {
  const msg = h('span', { class: 'error', role: 'alert' });
  const b = h('button', { type: 'button', class: opts.danger ? 'danger' : '' }, label);
  b.addEventListener('click', async () => {
    msg.textContent = '';
    if (opts.danger && !confirm(t('common.confirm', { action: label }))) return;
    try {
      await run();
    } catch (e) {
      msg.textContent = (e as Error).message;
    }
  });
  return h('span', { class: 'action' }, b, msg);
}

export const lines = (s: string | boolean | undefined) =>
  String(s ?? '')
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);
export const optionalInt = (s: string | boolean | undefined) =>
  s === '' || s === undefined ? null : Number(s);
export const mb = (s: string | boolean | undefined) =>
  s === '' || s === undefined ? null : Math.round(Number(s) * 1024 * 1024);
