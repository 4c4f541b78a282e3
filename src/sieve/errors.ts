/** A script that cannot be compiled: bad syntax, unknown or unrequired extension, wrong arguments. */
export class SieveSyntaxError extends Error {
  override name = 'SieveSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    /** The script name when the error is inside an included script. */
    readonly script?: string,
  ) {
    super(`${script ? `${script}: ` : ''}line ${line}, column ${column}: ${message}`);
  }
}

/** A script that failed while running: budget exhausted, include loop, action conflict. */
export class SieveRuntimeError extends Error {
  override name = 'SieveRuntimeError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}
