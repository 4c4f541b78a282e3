import { OperatorError } from '../../core/errors.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every spelling of a unit an operator might type, singular or plural, long or short. */
const UNIT_WORDS: readonly [number, readonly string[]][] = [
  [SECOND, ['s', 'sec', 'secs', 'second', 'seconds']],
  [MINUTE, ['m', 'min', 'mins', 'minute', 'minutes']],
  [HOUR, ['h', 'hr', 'hrs', 'hour', 'hours']],
  [DAY, ['d', 'day', 'days']],
  [7 * DAY, ['w', 'wk', 'wks', 'week', 'weeks']],
];
const UNITS = new Map(UNIT_WORDS.flatMap(([ms, words]) => words.map((w) => [w, ms] as const)));

/** The unit names, for error messages. */
export const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const;

const AMOUNT_UNIT = /(\d+(?:\.\d+)?|an?|one)?\s*([a-z]+)/gy;

/**
 * Reads a period in one unit: "3 hours", "5 minutes", "6 days", "2h", "an hour", "day".
 * Mixing units ("1 hour 5 minutes") is refused with a message that says how to write it, as the
 * InterWorx tools did: one number, one unit keeps the phrase unambiguous. Milliseconds out.
 */
export function parseDurationPhrase(text: string): number {
  const t = text.trim().toLowerCase();
  const parts: [number, number][] = [];
  let pos = 0;
  while (pos < t.length) {
    AMOUNT_UNIT.lastIndex = pos;
    const m = AMOUNT_UNIT.exec(t);
    if (!m) break;
    const unit = UNITS.get(m[2]!);
    if (unit === undefined) {
      throw new OperatorError(`"${text}": unknown unit "${m[2]}" (use ${DURATION_UNITS.join(', ')})`);
    }
    const amount = m[1] === undefined || /^(an?|one)$/.test(m[1]) ? 1 : Number(m[1]);
    parts.push([amount, unit]);
    pos = AMOUNT_UNIT.lastIndex;
    const sep = /(?:\s|,|and\s)*/y;
    sep.lastIndex = pos;
    sep.exec(t);
    pos = sep.lastIndex;
  }
  if (pos < t.length || parts.length === 0) {
    throw new OperatorError(`"${text}" is not a period such as "3 hours", "5 minutes" or "6 days"`);
  }
  if (parts.length > 1) {
    const total = parts.reduce((s, [a, u]) => s + a * u, 0);
    const smallest = Math.min(...parts.map(([, u]) => u));
    const name = DURATION_UNITS[UNIT_WORDS.findIndex(([ms]) => ms === smallest)]!;
    throw new OperatorError(
      `"${text}" mixes units; give the period in one unit, e.g. "${total / smallest} ${name}"`,
    );
  }
  const [amount, unit] = parts[0]!;
  if (amount <= 0) throw new OperatorError(`"${text}": the period must be longer than zero`);
  return Math.round(amount * unit);
}

/**
 * Reads a moment: epoch seconds ("1714557600"), an ISO date or date-time ("2024-05-01",
 * "2024-05-01T10:00", "2024-05-01 10:00:00Z"), "now", or a period before now ("5 hours ago").
 * A date or date-time without a zone is local time, as an operator reading a clock means it.
 */
export function parseTimePoint(text: string, now: number): number {
  const t = text.trim();
  if (/^now$/i.test(t)) return now;
  if (/^\d{9,11}(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const ago = /^(.*\S)\s+ago$/i.exec(t);
  if (ago) return now - parseDurationPhrase(ago[1]!);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (date) return new Date(Number(date[1]), Number(date[2]) - 1, Number(date[3])).getTime();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return ms;
  }
  throw new OperatorError(
    `"${text}" is not a time (use epoch seconds, an ISO date such as 2024-05-01 or 2024-05-01T10:00, or "5 hours ago")`,
  );
}

/** A half-open time range [from, to) in epoch milliseconds. */
export interface TimeRange {
  from: number;
  to: number;
}

/** What the operator asked for: the last period, or a range (either end may be left open). */
export interface TimeSelector {
  last?: string;
  from?: string;
  to?: string;
}

/** Turns a selector into a range; with nothing given, the last day. */
export function resolveRange(sel: TimeSelector, now: number): TimeRange {
  if (sel.last !== undefined && (sel.from !== undefined || sel.to !== undefined)) {
    throw new OperatorError('give either --last or --from/--to, not both');
  }
  if (sel.last !== undefined) return { from: now - parseDurationPhrase(sel.last), to: now };
  if (sel.from === undefined && sel.to === undefined) return { from: now - DAY, to: now };
  const from = sel.from === undefined ? 0 : parseTimePoint(sel.from, now);
  const to = sel.to === undefined ? now : parseTimePoint(sel.to, now);
  if (to <= from)
    throw new OperatorError(
      `--to (${new Date(to).toISOString()}) is not after --from (${new Date(from).toISOString()})`,
    );
  return { from, to };
}
