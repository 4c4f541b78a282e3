import type { Logger } from './logger.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A logger for a worker thread: each record goes to `send`, which hands it to the main thread's
 * logger, so the server keeps one log with one format. Levels the main logger drops are dropped
 * here, before they cost a message between threads.
 */
export function forwardingLogger(
  send: (level: LogLevel, obj: unknown, msg: string | undefined) => void,
  enabled: readonly LogLevel[],
): Logger {
  const log: Record<string, unknown> = {};
  for (const level of LOG_LEVELS)
    log[level] = enabled.includes(level)
      ? (obj: unknown, msg?: string) => send(level, obj, msg)
      : () => undefined;
  log.child = () => log;
  log.isLevelEnabled = (level: LogLevel) => enabled.includes(level);
  return log as unknown as Logger;
}
