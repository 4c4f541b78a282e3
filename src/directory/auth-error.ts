import { MailsteadError } from '../core/errors.js';

/** Why a login failed, as logged and counted; clients only ever see the generic message. */
export type AuthFailureReason =
  | 'unknown-user'
  | 'bad-password'
  | 'disabled'
  | 'locked-out'
  /** SCRAM asked for an account whose password was set before verifiers were kept (log in once with PLAIN). */
  | 'no-scram-verifier';

/** A failed login: wrong password, unknown or disabled account. The message never says which. */
export class AuthError extends MailsteadError {
  constructor(
    readonly reason: AuthFailureReason,
    message = 'authentication failed',
    opts: { smtp: { code: number; enhanced: string }; imap: { status: 'NO'; code: string } } = {
      smtp: { code: 535, enhanced: '5.7.8' },
      imap: { status: 'NO', code: 'AUTHENTICATIONFAILED' },
    },
  ) {
    super(message, opts);
    this.name = 'AuthError';
  }
}

/** A login refused without checking the password because the client IP or the account is locked out. */
export class AuthLockedError extends AuthError {
  constructor(readonly retryAfterMs: number) {
    super('locked-out', 'too many failed logins; try again later', {
      smtp: { code: 454, enhanced: '4.7.0' },
      imap: { status: 'NO', code: 'UNAVAILABLE' },
    });
    this.name = 'AuthLockedError';
  }
}
