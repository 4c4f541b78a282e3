import type { SessionAccount } from '../session.js';
import { accountPage, accountsPage } from './accounts.js';
import { aliasesPage } from './aliases.js';
import { antivirusPage } from './antivirus.js';
import { brandingPage } from './branding.js';
import { dashboardPage } from './dashboard.js';
import { dkimPage } from './dkim.js';
import { domainsPage } from './domains.js';
import { filtersPage } from './filters.js';
import { foldersPage } from './folders.js';
import { groupsPage } from './groups.js';
import { logsPage } from './logs.js';
import { queuePage } from './queue.js';
import { settingsPage } from './settings.js';
import { sievePage } from './sieve.js';
import { sharedPage } from './shared.js';
import { tracePage } from './trace.js';
import { translationsPage } from './translations.js';

type Role = SessionAccount['role'];

export interface Page {
  path: string;
  /** Shown in the navigation for these roles. */
  roles: readonly Role[];
  nav: boolean;
  render(main: HTMLElement, args: string[]): Promise<void>;
}

const ALL: Role[] = ['user', 'group-admin', 'domain-admin', 'server-admin'];
const ADMINS: Role[] = ['group-admin', 'domain-admin', 'server-admin'];
const DOMAIN: Role[] = ['domain-admin', 'server-admin'];
const SERVER: Role[] = ['server-admin'];

export const pages: Page[] = [
  { path: 'dashboard', roles: SERVER, nav: true, render: dashboardPage },
  { path: 'domains', roles: DOMAIN, nav: true, render: domainsPage },
  { path: 'accounts', roles: ADMINS, nav: true, render: accountsPage },
  { path: 'account', roles: ALL, nav: false, render: accountPage },
  { path: 'aliases', roles: DOMAIN, nav: true, render: aliasesPage },
  { path: 'groups', roles: ADMINS, nav: true, render: groupsPage },
  { path: 'shared', roles: DOMAIN, nav: true, render: sharedPage },
  { path: 'folders', roles: ALL, nav: true, render: foldersPage },
  { path: 'filters', roles: ALL, nav: true, render: filtersPage },
  { path: 'sieve', roles: ALL, nav: true, render: sievePage },
  { path: 'settings', roles: SERVER, nav: true, render: settingsPage },
  { path: 'antivirus', roles: SERVER, nav: true, render: antivirusPage },
  { path: 'queue', roles: SERVER, nav: true, render: queuePage },
  { path: 'trace', roles: DOMAIN, nav: true, render: tracePage },
  { path: 'logs', roles: DOMAIN, nav: true, render: logsPage },
  { path: 'dkim', roles: DOMAIN, nav: true, render: dkimPage },
  { path: 'translations', roles: SERVER, nav: true, render: translationsPage },
  { path: 'branding', roles: DOMAIN, nav: true, render: brandingPage },
];
