/**
 * Errors that carry their protocol meaning, so a protocol layer never invents a reply code.
 * `smtp` is the SMTP reply code with its RFC 3463 enhanced status; `imap` the IMAP status with an
 * optional response code; `operator` marks a mistake a person can fix (printed without a stack).
 */
export interface SmtpMeaning {
  code: number;
  enhanced: string;
}

export interface ImapMeaning {
  status: 'NO' | 'BAD';
  code?: string;
}

export interface MailsteadErrorOptions {
  smtp?: SmtpMeaning;
  imap?: ImapMeaning;
  /** An operator error: a wrong setting or command line, printed as one line, no stack. */
  operator?: boolean;
  cause?: unknown;
}

export class MailsteadError extends Error {
  readonly smtp: SmtpMeaning | undefined;
  readonly imap: ImapMeaning | undefined;
  readonly operator: boolean;

  constructor(message: string, opts: MailsteadErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MailsteadError';
    this.smtp = opts.smtp;
    this.imap = opts.imap;
    this.operator = opts.operator ?? false;
  }

  /** The whole SMTP reply line, e.g. `550 5.1.1 <x@y>: user unknown`. */
  smtpReply(fallback: SmtpMeaning = { code: 451, enhanced: '4.3.0' }): string {
    const m = this.smtp ?? fallback;
    return `${m.code} ${m.enhanced} ${this.message}`;
  }
}

/** A mistake in configuration or on the command line. */
export class OperatorError extends MailsteadError {
  constructor(message: string, cause?: unknown) {
    super(message, { operator: true, cause });
    this.name = 'OperatorError';
  }
}

/** Something asked for does not exist. */
export class NotFoundError extends MailsteadError {
  constructor(what: string, opts: MailsteadErrorOptions = {}) {
    super(`${what} not found`, { operator: true, imap: { status: 'NO', code: 'NONEXISTENT' }, ...opts });
    this.name = 'NotFoundError';
  }
}

/** The caller lacks the right to do this (ACL, role). */
export class PermissionError extends MailsteadError {
  constructor(message: string, opts: MailsteadErrorOptions = {}) {
    super(message, {
      operator: true,
      imap: { status: 'NO', code: 'NOPERM' },
      smtp: { code: 550, enhanced: '5.7.1' },
      ...opts,
    });
    this.name = 'PermissionError';
  }
}

/** A uniqueness or state conflict (already exists, in use). */
export class ConflictError extends MailsteadError {
  constructor(message: string, opts: MailsteadErrorOptions = {}) {
    super(message, { operator: true, imap: { status: 'NO', code: 'ALREADYEXISTS' }, ...opts });
    this.name = 'ConflictError';
  }
}

/** A quota or limit would be exceeded. */
export class LimitError extends MailsteadError {
  constructor(message: string, opts: MailsteadErrorOptions = {}) {
    super(message, {
      operator: true,
      imap: { status: 'NO', code: 'OVERQUOTA' },
      smtp: { code: 452, enhanced: '4.2.2' },
      ...opts,
    });
    this.name = 'LimitError';
  }
}
