import { OperatorError } from '../../core/errors.js';
import type { DeliveryLogIndex } from './log-index.js';
import type { StatsSubject, TopSubject } from './query-types.js';
import type { RangePlan } from './range-plan.js';
import { kindOf, resultOf, webmailOf, type Dim, type Segment } from './segment.js';

/** Filters with names already turned into interned ids (-1 for a name never seen). */
export interface FilterIds {
  sender?: number;
  recipient?: number;
  user?: number;
  domain?: number;
  webmailOnly?: boolean;
  kind?: 0 | 1;
  result?: 0 | 1 | 2;
}

/**
 * Whether a summary row passes the filters, from its ids (0 where the row has no such column).
 * Undefined when there are no filters, so that the loops over millions of rows skip the call.
 */
export type RowTest = (sender: number, recipient: number, auth: number, cls: number) => boolean;

/**
 * The test of a row against the filters, and the id columns it reads (which decide the segments
 * that can answer it). `withOwner` false leaves user and domain to the owner of the stats.
 * `inDomain` tells the ids of names in the domain filter's domain.
 */
export function rowTest(
  f: FilterIds,
  withOwner: boolean,
  inDomain: (id: number) => boolean,
): { test: RowTest | undefined; dims: Set<Dim> } {
  const dims = new Set<Dim>();
  const { kind, result, sender, recipient, user, domain } = f;
  const webmail = f.webmailOnly === true;
  if (sender !== undefined) dims.add('sender');
  if (recipient !== undefined) dims.add('recipient');
  const owner = withOwner && (user !== undefined || domain !== undefined);
  if (owner) dims.add('auth').add('recipient');
  if (
    kind === undefined &&
    result === undefined &&
    !webmail &&
    sender === undefined &&
    recipient === undefined &&
    !owner
  )
    return { test: undefined, dims };
  const test: RowTest = (s, r, a, cls) =>
    (kind === undefined || kindOf(cls) === kind) &&
    (result === undefined || resultOf(cls) === result) &&
    (!webmail || webmailOf(cls) === 1) &&
    (sender === undefined || s === sender) &&
    (recipient === undefined || r === recipient) &&
    (!owner ||
      ((user === undefined || a === user || (kindOf(cls) === 0 && r === user)) &&
        (domain === undefined || (a !== 0 && inDomain(a)) || (kindOf(cls) === 0 && inDomain(r)))));
  return { test, dims };
}

/**
 * The segments a question sums: when it reads at most one id column, that column's day rollups
 * for whole days and `detail` for the whole hours around them (the fast path); else `detail` for
 * every whole hour. Plus the raw edge rows either way.
 */
export function sourceSegments(
  index: DeliveryLogIndex,
  dims: Set<Dim>,
  plan: RangePlan,
  raw: Segment,
): Segment[] {
  if (dims.size <= 1) {
    const d = [...dims][0] ?? 'sender';
    return [
      ...plan.hours.flatMap((h) => index.segments('detail', 'hour', h)),
      ...(plan.days ? index.segments(d, 'day', plan.days) : []),
      raw,
    ];
  }
  return [...index.segments('detail', 'hour', plan.wholeHours), raw];
}

const MEASURES = ['total', 'sent', 'received', 'successes', 'deferrals', 'failures', 'bytes'] as const;
type Measure = (typeof MEASURES)[number] | 'users';

/** Where each measure sits in a group's slot; `successes` + result gives the outcome's. */
const SLOT = { total: 0, successes: 1, deferrals: 2, failures: 3, bytes: 4, sent: 5, received: 6 } as const;
const STRIDE = 8;

/**
 * Sums per id in one array indexed by id, a 64-byte slot per id: a month of rows adds up without
 * a hash lookup per row, and each row touches one cache line.
 */
class Groups {
  readonly sums: Float64Array;
  readonly ids: number[] = [];

  constructor(size: number) {
    this.sums = new Float64Array(size * STRIDE);
  }

  get(id: number, m: (typeof MEASURES)[number]): number {
    return this.sums[id * STRIDE + SLOT[m]]!;
  }

  /**
   * Adds the rows of the segments that pass `test` to the group of their id in column `key`.
   * Rows with no id there (0) are left out, and so are rows whose id `keep` refuses; `localOnly`
   * keeps local deliveries only; `role` also counts the rows as sent or received.
   */
  addRows(
    segs: Segment[],
    key: Dim,
    test: RowTest | undefined,
    opts: { role?: 'sent' | 'received'; keep?: (id: number) => boolean; localOnly?: boolean } = {},
  ): void {
    const sums = this.sums;
    const role = opts.role ? SLOT[opts.role] : 0;
    const { keep, localOnly = false } = opts;
    for (const s of segs) {
      const keys = s.ids[key]!;
      const { sender, recipient, auth } = s.ids;
      const { cls, n } = s;
      const size = s.bytes;
      for (let i = 0; i < s.length; i++) {
        const c = cls[i]!;
        const id = keys[i]!;
        if (id === 0 || (localOnly && (c & 1) !== 0)) continue;
        if (test && !test(sender ? sender[i]! : 0, recipient ? recipient[i]! : 0, auth ? auth[i]! : 0, c))
          continue;
        if (keep && !keep(id)) continue;
        const k = n[i]!;
        const at = id * STRIDE;
        if (sums[at] === 0) this.ids.push(id);
        sums[at]! += k;
        if (role) sums[at + role]! += k;
        sums[at + 1 + ((c >> 1) & 3)]! += k;
        sums[at + SLOT.bytes]! += size[i]!;
      }
    }
  }
}

interface Report {
  key: string;
  measures: Measure[];
  /** The default sort column (highest first). */
  sort: Measure;
  /** Only groups where this measure is above zero. */
  having?: Measure;
}

const OUTCOMES: Measure[] = ['successes', 'deferrals', 'failures', 'bytes'];

const TOP: Record<TopSubject, Report & { dim: 'sender' | 'recipient' }> = {
  senders: { key: 'sender', dim: 'sender', measures: ['total', ...OUTCOMES], sort: 'total' },
  recipients: { key: 'recipient', dim: 'recipient', measures: ['total', ...OUTCOMES], sort: 'total' },
  deferrals: {
    key: 'recipient',
    dim: 'recipient',
    measures: ['deferrals', 'total', 'bytes'],
    sort: 'deferrals',
    having: 'deferrals',
  },
  failures: {
    key: 'recipient',
    dim: 'recipient',
    measures: ['failures', 'total', 'bytes'],
    sort: 'failures',
    having: 'failures',
  },
};

const STATS: Record<StatsSubject, Report> = {
  users: { key: 'user', measures: ['total', 'sent', 'received', ...OUTCOMES], sort: 'total' },
  domains: { key: 'domain', measures: ['users', 'total', 'sent', 'received', ...OUTCOMES], sort: 'total' },
};

export interface Order {
  sort?: string;
  descending?: boolean;
  limit?: number;
}

export type Row = Record<string, string | number>;

export function reportColumns(kind: 'top', subject: TopSubject): string[];
export function reportColumns(kind: 'stats', subject: StatsSubject): string[];
export function reportColumns(kind: 'top' | 'stats', subject: string): string[] {
  const r = kind === 'top' ? TOP[subject as TopSubject] : STATS[subject as StatsSubject];
  return [r.key, ...r.measures];
}

/** What a report needs from the index besides segments: names of ids, and who is in a domain. */
export interface Context {
  index: DeliveryLogIndex;
  /** Edge rows read from the raw log, with every id column. */
  raw: Segment;
  plan: RangePlan;
  /** One above the highest name id. */
  idSpace: number;
}

/**
 * Sorts and cuts a report's groups. With a limit, only groups that can make the cut get their
 * names looked up: those whose sort value is at least the limit-th best (names break the ties).
 */
function finish(
  ctx: Context,
  r: Report,
  ids: number[],
  value: (id: number, m: Measure) => number,
  order: Order,
): Row[] {
  const columns = [r.key, ...r.measures];
  const sort = order.sort ?? r.sort;
  if (!columns.includes(sort))
    throw new OperatorError(`cannot sort by "${sort}"; the columns are ${columns.join(', ')}`);
  const descending = order.sort === undefined ? true : (order.descending ?? false);
  const limit = order.limit && order.limit > 0 ? order.limit : Infinity;
  const dir = descending ? -1 : 1;
  let candidates = ids;
  const byName = sort === r.key;
  if (!byName && limit < ids.length) {
    const values = Float64Array.from(ids, (id) => value(id, sort as Measure)).sort();
    const cut = descending ? values[values.length - limit]! : values[limit - 1]!;
    candidates = ids.filter((id) => dir * (value(id, sort as Measure) - cut) <= 0);
  }
  const names = ctx.index.names(candidates);
  const rows = candidates.map((id) => {
    const row: Row = { [r.key]: names.get(id)!.name };
    for (const m of r.measures) row[m] = value(id, m);
    return row;
  });
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  rows.sort((a, b) => dir * cmp(a[sort]!, b[sort]!) || cmp(a[r.key]!, b[r.key]!));
  return rows.slice(0, limit);
}

/** Top senders, recipients, deferred or failed recipients. */
export function topReport(
  ctx: Context,
  subject: TopSubject,
  f: FilterIds,
  inDomain: (id: number) => boolean,
  order: Order,
): Row[] {
  const r = TOP[subject];
  const { test, dims } = rowTest(f, true, inDomain);
  const groups = new Groups(ctx.idSpace);
  const segs = sourceSegments(ctx.index, new Set([...dims, r.dim]), ctx.plan, ctx.raw);
  groups.addRows(segs, r.dim, test);
  const ids = r.having ? groups.ids.filter((id) => groups.get(id, r.having as 'total') > 0) : groups.ids;
  return finish(ctx, r, ids, (id, m) => groups.get(id, m as 'total'), order);
}

/**
 * Per-user or per-domain stats. Each attempt counts for its owners: the submitting account
 * (sent) and, for a local delivery, the recipient (received).
 */
export function statsReport(
  ctx: Context,
  subject: StatsSubject,
  f: FilterIds,
  inDomain: (id: number) => boolean,
  order: Order,
): Row[] {
  const r = STATS[subject];
  const { test, dims } = rowTest(f, false, inDomain);
  const owners = new Groups(ctx.idSpace);
  const keep =
    f.user === undefined && f.domain === undefined
      ? undefined
      : (owner: number) =>
          (f.user === undefined || owner === f.user) && (f.domain === undefined || inDomain(owner));
  const part = (column: 'auth' | 'recipient', role: 'sent' | 'received') => {
    const segs = sourceSegments(ctx.index, new Set([...dims, column]), ctx.plan, ctx.raw);
    owners.addRows(segs, column, test, { role, keep, localOnly: column === 'recipient' });
  };
  part('auth', 'sent');
  part('recipient', 'received');
  const sum = (id: number, m: Measure) => owners.get(id, m as 'total');
  if (subject === 'users') return finish(ctx, r, owners.ids, sum, order);
  const domainOf = ctx.index.names(owners.ids);
  const domains = new Map<number, Record<Measure, number>>();
  for (const owner of owners.ids) {
    const domain = domainOf.get(owner)!.domain;
    if (domain === 0) continue;
    let d = domains.get(domain);
    if (!d) {
      d = Object.fromEntries([...MEASURES, 'users'].map((m) => [m, 0])) as Record<Measure, number>;
      domains.set(domain, d);
    }
    d.users++;
    for (const m of MEASURES) d[m] += sum(owner, m);
  }
  return finish(ctx, r, [...domains.keys()], (id, m) => domains.get(id)![m], order);
}
