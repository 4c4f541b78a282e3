import { get } from './api.js';

let strings: Record<string, string> = {};
export let locale = 'en';

/** Loads the locale's strings with the administrator's overrides (from the server). */
export async function loadStrings(l = navigator.language.split('-')[0] ?? 'en'): Promise<void> {
  locale = /^[a-z]{2}$/.test(l) ? l : 'en';
  strings = await get(`/i18n/${locale}`);
}

/** The product name the hostname is branded with replaces the shipped one everywhere it is shown. */
export function setProductName(name: string | null): void {
  if (name) strings['app.name'] = name;
}

/** The UI string `key`, with `{name}` placeholders filled; the key itself when missing (visible, not blank). */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  return (strings[key] ?? key).replace(/\{(\w+)\}/g, (m, name: string) =>
    name in vars ? String(vars[name]) : m,
  );
}
