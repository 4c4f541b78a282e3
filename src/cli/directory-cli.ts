import { openApp, type App } from '../app.js';
import { OperatorError } from '../core/errors.js';
import { formatSize, parseSize } from '../core/size.js';
import type { DomainUsage, Usage } from '../directory/types.js';
import type { CliContext } from './command.js';

/** Helpers shared by the directory's command groups (domain, user, alias, group). */

/** Opens the data dir's services for one command and closes them after. */
export async function withApp<T>(ctx: CliContext, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(ctx.dataDir);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** `none` clears a limit (null); otherwise a size like 10G. */
export function sizeOption(text: string | undefined, what: string): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'none' || text === 'unlimited') return null;
  const n = parseSize(text);
  if (n === undefined) throw new OperatorError(`${what}: "${text}" is not a size (e.g. 500M, 2G, or none)`);
  return n;
}

export function countOption(text: string | undefined, what: string): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'none' || text === 'unlimited') return null;
  if (!/^\d+$/.test(text)) throw new OperatorError(`${what}: "${text}" is not a number (or none)`);
  return Number(text);
}

export function yesNoOption(text: string | undefined, what: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (['yes', 'true', 'on'].includes(text)) return true;
  if (['no', 'false', 'off'].includes(text)) return false;
  throw new OperatorError(`${what}: "${text}" is not yes or no`);
}

/** Repeated or comma-separated values (`--to a --to b,c`). */
export function listOption(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function subcommand(sub: string | undefined, known: string[]): string {
  if (!sub || !known.includes(sub))
    throw new OperatorError(
      `unknown subcommand "${sub ?? ''}"; use ${known.slice(0, -1).join(', ')} or ${known.at(-1)}`,
    );
  return sub;
}

export function formatUsage(u: Usage, size = false): string {
  const f = (n: number) => (size ? formatBytes(n) : String(n));
  return u.max === null
    ? `${f(u.used)} (no limit)`
    : `${f(u.used)} of ${f(u.max)} (${f(Math.max(0, u.max - u.used))} available)`;
}

/** The line `user add` and `domain show` print about a domain's limits. */
export function usageSummary(domain: string, u: DomainUsage): string {
  const storage =
    u.storage.max === null
      ? ''
      : `, storage ${formatBytes(u.storage.allocated)} of ${formatBytes(u.storage.max)} allocated`;
  return `domain ${domain}: accounts ${formatUsage(u.accounts)}, aliases ${formatUsage(u.aliases)}${storage}`;
}

/** Bytes for people: exact units when they fit (2G), else one decimal (1.5M). */
export function formatBytes(n: number): string {
  const exact = formatSize(n);
  if (exact !== String(n) || n < 1024) return exact;
  const [unit, size] = n >= 1024 ** 3 ? ['G', 1024 ** 3] : n >= 1024 ** 2 ? ['M', 1024 ** 2] : ['K', 1024];
  return `${(n / (size as number)).toFixed(1)}${unit}`;
}
