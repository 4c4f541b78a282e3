import { OperatorError } from '../../core/errors.js';
import type { RollupDim } from './log-index.js';
import type { StatsSubject, TopSubject } from './query-types.js';
import type { RangePlan } from './range-plan.js';

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

export interface Sql {
  text: string;
  params: number[];
}

interface Conditions extends Sql {
  /** The id columns the conditions read, which decide the table that can answer them. */
  dims: Set<RollupDim>;
}

const OWNED_BY_DOMAIN = 'IN (SELECT id FROM names WHERE domain = ?)';

/**
 * The WHERE of a query over rows with columns sender, recipient, auth, kind, result, webmail:
 * the same text filters `detail`, the one-dimension rollups and the raw edge rows.
 * `withOwner` false leaves user and domain to be applied to the owner column of the stats.
 */
export function recordConditions(f: FilterIds, withOwner: boolean): Conditions {
  const conds: string[] = ['1'];
  const params: number[] = [];
  const dims = new Set<RollupDim>();
  const eq = (col: string, v: number | undefined) => {
    if (v === undefined) return;
    conds.push(`${col} = ?`);
    params.push(v);
  };
  eq('kind', f.kind);
  eq('result', f.result);
  if (f.webmailOnly) conds.push('webmail = 1');
  if (f.sender !== undefined) dims.add('sender');
  eq('sender', f.sender);
  if (f.recipient !== undefined) dims.add('recipient');
  eq('recipient', f.recipient);
  if (withOwner && f.user !== undefined) {
    conds.push('(auth = ? OR (kind = 0 AND recipient = ?))');
    params.push(f.user, f.user);
  }
  if (withOwner && f.domain !== undefined) {
    conds.push(`(auth ${OWNED_BY_DOMAIN} OR (kind = 0 AND recipient ${OWNED_BY_DOMAIN}))`);
    params.push(f.domain, f.domain);
  }
  if (withOwner && (f.user !== undefined || f.domain !== undefined)) dims.add('auth').add('recipient');
  return { text: conds.join(' AND '), params, dims };
}

const ROW_COLUMNS = 'kind, result, webmail, n, bytes';

/**
 * The rows a query sums: when it reads at most one id column, that column's day rollup for whole
 * days and `detail` for the whole hours around them (the fast path); else `detail` for every
 * whole hour. Plus the raw edge rows in `temp.raw` either way.
 */
export function sourceRows(dims: Set<RollupDim>, plan: RangePlan): Sql {
  if (dims.size <= 1) {
    const d = [...dims][0] ?? 'sender';
    const hours = plan.hours.map(
      () => `SELECT ${d}, ${ROW_COLUMNS} FROM detail WHERE hour >= ? AND hour < ?`,
    );
    const days = plan.days ? [`SELECT ${d}, ${ROW_COLUMNS} FROM by_${d} WHERE day >= ? AND day < ?`] : [];
    return {
      text: [...hours, ...days, `SELECT ${d}, ${ROW_COLUMNS} FROM temp.raw`].join(' UNION ALL '),
      params: [...plan.hours.flat(), ...(plan.days ?? [])],
    };
  }
  const cols = `sender, recipient, auth, ${ROW_COLUMNS}`;
  return {
    text: `SELECT ${cols} FROM detail WHERE hour >= ? AND hour < ? UNION ALL SELECT ${cols} FROM temp.raw`,
    params: [...plan.wholeHours],
  };
}

const MEASURES: Record<string, string> = {
  total: 'sum(n)',
  sent: 'sum(n * sent)',
  received: 'sum(n * received)',
  successes: 'sum(CASE WHEN result = 0 THEN n ELSE 0 END)',
  deferrals: 'sum(CASE WHEN result = 1 THEN n ELSE 0 END)',
  failures: 'sum(CASE WHEN result = 2 THEN n ELSE 0 END)',
  bytes: 'sum(bytes)',
  users: 'count(DISTINCT owner)',
};

interface Report {
  key: string;
  measures: string[];
  /** The default sort column (highest first). */
  sort: string;
  having?: string;
}

const OUTCOMES = ['successes', 'deferrals', 'failures', 'bytes'];

const TOP: Record<TopSubject, Report & { dim: 'sender' | 'recipient' }> = {
  senders: { key: 'sender', dim: 'sender', measures: ['total', ...OUTCOMES], sort: 'total' },
  recipients: { key: 'recipient', dim: 'recipient', measures: ['total', ...OUTCOMES], sort: 'total' },
  deferrals: {
    key: 'recipient',
    dim: 'recipient',
    measures: ['deferrals', 'total', 'bytes'],
    sort: 'deferrals',
    having: 'deferrals > 0',
  },
  failures: {
    key: 'recipient',
    dim: 'recipient',
    measures: ['failures', 'total', 'bytes'],
    sort: 'failures',
    having: 'failures > 0',
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

export function reportColumns(kind: 'top', subject: TopSubject): string[];
export function reportColumns(kind: 'stats', subject: StatsSubject): string[];
export function reportColumns(kind: 'top' | 'stats', subject: string): string[] {
  const r = kind === 'top' ? TOP[subject as TopSubject] : STATS[subject as StatsSubject];
  return [r.key, ...r.measures];
}

function selectAndOrder(r: Report, order: Order): { select: string; tail: Sql } {
  const columns = [r.key, ...r.measures];
  const sort = order.sort ?? r.sort;
  if (!columns.includes(sort))
    throw new OperatorError(`cannot sort by "${sort}"; the columns are ${columns.join(', ')}`);
  const descending = order.sort === undefined ? true : (order.descending ?? false);
  const select = r.measures.map((m) => `${MEASURES[m]} AS "${m}"`).join(', ');
  const tieBreak = sort === r.key ? '' : `, "${r.key}" ASC`;
  return {
    select,
    tail: {
      text: `${r.having ? `HAVING ${r.having} ` : ''}ORDER BY "${sort}" ${descending ? 'DESC' : 'ASC'}${tieBreak} LIMIT ?`,
      params: [order.limit && order.limit > 0 ? order.limit : -1],
    },
  };
}

/** Top senders, recipients, deferred or failed recipients. */
export function topSql(subject: TopSubject, f: FilterIds, plan: RangePlan, order: Order): Sql {
  const r = TOP[subject];
  const where = recordConditions(f, true);
  const src = sourceRows(new Set([...where.dims, r.dim]), plan);
  const { select, tail } = selectAndOrder(r, order);
  return {
    text: `SELECT nm.name AS "${r.key}", ${select} FROM (${src.text}) JOIN names nm ON nm.id = ${r.dim}
      WHERE ${where.text} GROUP BY ${r.dim} ${tail.text}`,
    params: [...src.params, ...where.params, ...tail.params],
  };
}

/**
 * Per-user or per-domain stats. Each attempt counts for its owners: the submitting account
 * (sent) and, for a local delivery, the recipient (received).
 */
export function statsSql(subject: StatsSubject, f: FilterIds, plan: RangePlan, order: Order): Sql {
  const r = STATS[subject];
  const where = recordConditions(f, false);
  const part = (owner: 'auth' | 'recipient', sent: number, only: string): Sql => {
    const src = sourceRows(new Set([...where.dims, owner]), plan);
    return {
      text: `SELECT ${owner} AS owner, ${sent} AS sent, ${1 - sent} AS received, ${ROW_COLUMNS}
        FROM (${src.text}) WHERE ${only} AND ${where.text}`,
      params: [...src.params, ...where.params],
    };
  };
  const sent = part('auth', 1, 'auth <> 0');
  const received = part('recipient', 0, 'kind = 0');
  const ownerConds: string[] = ['1'];
  const ownerParams: number[] = [];
  if (f.user !== undefined) {
    ownerConds.push('owner = ?');
    ownerParams.push(f.user);
  }
  if (f.domain !== undefined) {
    ownerConds.push('nm.domain = ?');
    ownerParams.push(f.domain);
  }
  const byDomain = subject === 'domains';
  const { select, tail } = selectAndOrder(r, order);
  return {
    text: `WITH owned AS (${sent.text} UNION ALL ${received.text})
      SELECT ${byDomain ? 'dn' : 'nm'}.name AS "${r.key}", ${select}
      FROM owned JOIN names nm ON nm.id = owner ${byDomain ? 'JOIN names dn ON dn.id = nm.domain' : ''}
      WHERE ${ownerConds.join(' AND ')} GROUP BY ${byDomain ? 'nm.domain' : 'owner'} ${tail.text}`,
    params: [...sent.params, ...received.params, ...ownerParams, ...tail.params],
  };
}
