import type { AuthMode } from '../config/keys/smtp.js';

/** One SMTP listener: its `listen.*` key, whether TLS is implicit, and its role. */
export interface ListenerProfile {
  name: 'smtp' | 'submission' | 'submissions';
  key: string;
  implicitTls: boolean;
  /** Message submission (RFC 6409): logged-in users sending mail. */
  submission: boolean;
}

export const LISTENERS: readonly ListenerProfile[] = [
  { name: 'smtp', key: 'listen.smtp', implicitTls: false, submission: false },
  { name: 'submission', key: 'listen.submission', implicitTls: false, submission: true },
  { name: 'submissions', key: 'listen.submissions', implicitTls: true, submission: true },
];

export function authModeKey(p: ListenerProfile): string {
  return `smtp.auth_mode.${p.name}`;
}

export type { AuthMode };
