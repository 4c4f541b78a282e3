import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The server log: JSON lines, or a readable format on a terminal (`log.format = auto`).
 * pino-pretty runs in-process (sync) so start-up messages appear in order.
 */
export async function createLogger(opts: {
  level: string;
  format: 'auto' | 'json' | 'pretty';
  destination?: NodeJS.WritableStream;
}): Promise<Logger> {
  const pretty =
    opts.format === 'pretty' ||
    (opts.format === 'auto' && process.stdout.isTTY === true && !opts.destination);
  if (pretty) {
    const { default: prettyFactory } = await import('pino-pretty');
    return pino(
      { level: opts.level },
      prettyFactory({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
    );
  }
  return pino(
    { level: opts.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    (opts.destination ?? process.stdout) as NodeJS.WritableStream & { write(s: string): boolean },
  );
}

/** A logger that drops everything, for CLI commands and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
