/**
 * A command the server cannot accept as sent. `message` is the text of the tagged reply, `status`
 * the reply (`BAD` for syntax, `NO` where a limit applies to a well-formed command, e.g. APPEND
 * over APPENDLIMIT) and `code` the response code without brackets (`TOOBIG`, `BADCHARSET ...`).
 */
export class ImapParseError extends Error {
  readonly tag: string | undefined;
  readonly status: 'BAD' | 'NO';
  readonly code: string | undefined;

  constructor(message: string, opts: { tag?: string; status?: 'BAD' | 'NO'; code?: string } = {}) {
    super(message);
    this.name = 'ImapParseError';
    this.tag = opts.tag;
    this.status = opts.status ?? 'BAD';
    this.code = opts.code;
  }
}

/** The command name is not one this layer knows; the reply is still `BAD`, but worth counting apart. */
export class UnknownCommandError extends ImapParseError {
  constructor(
    readonly command: string,
    tag?: string,
  ) {
    super(`Unknown command ${command}`, tag === undefined ? {} : { tag });
    this.name = 'UnknownCommandError';
  }
}
