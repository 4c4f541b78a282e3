export interface SessionAccount {
  address: string;
  role: 'user' | 'group-admin' | 'domain-admin' | 'server-admin';
  domain: string;
}

let current: SessionAccount | null = null;

export const session = () => current;
export function setSession(a: SessionAccount | null): void {
  current = a;
}

/** Re-renders the current page, after an action changed what it shows. */
export function reload(): void {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
