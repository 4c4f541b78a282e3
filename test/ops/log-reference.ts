import type { DeliveryRecord } from '../../src/log/delivery-record.js';
import type { LogFilters, StatsSubject, TopSubject } from '../../src/ops/log/query-types.js';
import type { TimeRange } from '../../src/ops/log/time-expression.js';

/**
 * The analytics computed the slow, obvious way over records in memory: what the index and its
 * SQL must agree with for every range, report and filter.
 */
const lc = (s: string | null | undefined) => (s ?? '').toLowerCase();
const domainOf = (a: string) => (a.includes('@') ? a.slice(a.lastIndexOf('@') + 1) : undefined);

function owners(r: DeliveryRecord): { owner: string; role: 'sent' | 'received' }[] {
  const out: { owner: string; role: 'sent' | 'received' }[] = [];
  if (r.authUser) out.push({ owner: lc(r.authUser), role: 'sent' });
  if (r.kind === 'local') out.push({ owner: lc(r.recipient), role: 'received' });
  return out;
}

function inRange(r: DeliveryRecord, range: TimeRange): boolean {
  const t = Date.parse(r.time);
  return t >= range.from && t < range.to;
}

function recordMatches(r: DeliveryRecord, f: LogFilters, withOwner: boolean): boolean {
  if (f.flavour && f.flavour !== 'both' && r.kind !== f.flavour) return false;
  if (f.webmailOnly && r.source !== 'webmail') return false;
  if (f.sender !== undefined && lc(r.sender) !== lc(f.sender)) return false;
  if (f.recipient !== undefined && lc(r.recipient) !== lc(f.recipient)) return false;
  if (withOwner && f.user !== undefined && !owners(r).some((o) => o.owner === lc(f.user))) return false;
  if (withOwner && f.domain !== undefined && !owners(r).some((o) => domainOf(o.owner) === lc(f.domain)))
    return false;
  return true;
}

export function refShow(
  records: DeliveryRecord[],
  range: TimeRange,
  f: LogFilters,
  result?: string,
): DeliveryRecord[] {
  return records
    .filter(
      (r) => inRange(r, range) && recordMatches(r, f, true) && (result === undefined || r.result === result),
    )
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

type Row = Record<string, string | number>;

function sortRows(rows: Row[], key: string, sort: string, descending: boolean): Row[] {
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) => (descending ? -1 : 1) * cmp(a[sort]!, b[sort]!) || cmp(a[key]!, b[key]!));
}

const outcome = (r: DeliveryRecord) => ({
  successes: r.result === 'success' ? 1 : 0,
  deferrals: r.result === 'deferral' ? 1 : 0,
  failures: r.result === 'failure' ? 1 : 0,
});

function addTo(row: Row, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) row[k] = ((row[k] as number | undefined) ?? 0) + v;
}

export function refTop(
  records: DeliveryRecord[],
  subject: TopSubject,
  range: TimeRange,
  f: LogFilters,
  sort?: string,
  descending?: boolean,
): Row[] {
  const key = subject === 'senders' ? 'sender' : 'recipient';
  const groups = new Map<string, Row>();
  for (const r of records) {
    if (!inRange(r, range) || !recordMatches(r, f, true)) continue;
    const name = lc(key === 'sender' ? r.sender : r.recipient);
    const row = groups.get(name) ?? { [key]: name };
    groups.set(name, row);
    addTo(row, { total: 1, ...outcome(r), bytes: r.size });
  }
  let rows = [...groups.values()];
  if (subject === 'deferrals' || subject === 'failures') {
    rows = rows
      .filter((r) => (r[subject] as number) > 0)
      .map((r) => ({ recipient: r.recipient!, [subject]: r[subject]!, total: r.total!, bytes: r.bytes! }));
  }
  const main = subject === 'deferrals' || subject === 'failures' ? subject : 'total';
  return sortRows(rows, key, sort ?? main, sort === undefined ? true : (descending ?? false));
}

export function refStats(
  records: DeliveryRecord[],
  subject: StatsSubject,
  range: TimeRange,
  f: LogFilters,
  sort?: string,
  descending?: boolean,
): Row[] {
  const key = subject === 'users' ? 'user' : 'domain';
  const groups = new Map<string, Row>();
  const members = new Map<string, Set<string>>();
  for (const r of records) {
    if (!inRange(r, range) || !recordMatches(r, f, false)) continue;
    for (const o of owners(r)) {
      if (f.user !== undefined && o.owner !== lc(f.user)) continue;
      const dom = domainOf(o.owner);
      if (f.domain !== undefined && dom !== lc(f.domain)) continue;
      const name = subject === 'users' ? o.owner : dom;
      if (name === undefined) continue;
      const row = groups.get(name) ?? (subject === 'users' ? { user: name } : { domain: name, users: 0 });
      groups.set(name, row);
      addTo(row, {
        total: 1,
        sent: o.role === 'sent' ? 1 : 0,
        received: o.role === 'received' ? 1 : 0,
        ...outcome(r),
        bytes: r.size,
      });
      if (subject === 'domains') {
        const m = members.get(name) ?? new Set();
        members.set(name, m.add(o.owner));
        row.users = m.size;
      }
    }
  }
  return sortRows(
    [...groups.values()],
    key,
    sort ?? 'total',
    sort === undefined ? true : (descending ?? false),
  );
}
