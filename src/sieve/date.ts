/** Dates for the "date" extension (RFC 5260): RFC 5322 date parsing and the date-part values. */

export const DATE_PARTS = [
  'year',
  'month',
  'day',
  'date',
  'julian',
  'hour',
  'minute',
  'second',
  'time',
  'iso8601',
  'std11',
  'zone',
  'weekday',
];

/** An instant with the zone it is to be shown in, as minutes east of UTC. */
export interface ZonedDate {
  utc: number;
  offset: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const NAMED_ZONES: Record<string, number> = {
  ut: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

/** "+hhmm"/"-hhmm" as minutes east of UTC. */
export function parseZone(z: string): number | undefined {
  const m = /^([+-])(\d\d)(\d\d)$/.exec(z.trim());
  if (!m) return NAMED_ZONES[z.trim().toLowerCase()] ?? (/^[a-z]$/i.test(z.trim()) ? 0 : undefined);
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** Parses an RFC 5322 date-time (obsolete forms included); undefined when it is not one. */
export function parseMessageDate(text: string): ZonedDate | undefined {
  const s = text.replace(/\([^()]*\)/g, ' ').trim();
  const m =
    /^(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,3})?/.exec(
      s,
    );
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  if (month < 0) return undefined;
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const offset = m[7] ? parseZone(m[7]) : 0;
  if (offset === undefined) return undefined;
  const [day, hour, minute, second] = [m[1], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  return Number.isFinite(utc) ? { utc, offset } : undefined;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function zoneText(offset: number, colon: boolean): string {
  const a = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/** The text of one date-part (RFC 5260 §4.2) of `d` in its zone. */
export function datePart(d: ZonedDate, part: string): string {
  const local = new Date(d.utc + d.offset * 60_000);
  const Y = pad(local.getUTCFullYear(), 4);
  const M = pad(local.getUTCMonth() + 1);
  const D = pad(local.getUTCDate());
  const h = pad(local.getUTCHours());
  const mi = pad(local.getUTCMinutes());
  const s = pad(local.getUTCSeconds());
  switch (part.toLowerCase()) {
    case 'year':
      return Y;
    case 'month':
      return M;
    case 'day':
      return D;
    case 'date':
      return `${Y}-${M}-${D}`;
    case 'julian':
      return String(Math.floor(local.getTime() / 86_400_000) + 40587);
    case 'hour':
      return h;
    case 'minute':
      return mi;
    case 'second':
      return s;
    case 'time':
      return `${h}:${mi}:${s}`;
    case 'iso8601':
      return `${Y}-${M}-${D}T${h}:${mi}:${s}${zoneText(d.offset, true)}`;
    case 'std11':
      return `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]![0]!.toUpperCase()}${MONTHS[local.getUTCMonth()]!.slice(1)} ${Y} ${h}:${mi}:${s} ${zoneText(d.offset, false)}`;
    case 'zone':
      return zoneText(d.offset, false);
    case 'weekday':
      return String(local.getUTCDay());
    default:
      return '';
  }
}
