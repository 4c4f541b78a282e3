export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const HOURS_PER_DAY = 24;

/** Half-open [start, end) in bucket numbers (hours or days since the epoch, UTC). */
export type BucketRange = readonly [number, number];

/**
 * How a time range is answered: whole UTC days from day rollups, whole hours from hour rollups,
 * and the partial hours at either edge by reading those bytes of the raw log. Only the edges cost
 * time proportional to traffic, so a month costs about as much as an hour.
 */
export interface RangePlan {
  /** Millisecond ranges read from the raw log (at most two, each inside one hour). */
  raw: [number, number][];
  /** Hour-bucket ranges answered from hour rollups (at most two). */
  hours: BucketRange[];
  /** Day-bucket range answered from day rollups, if any whole day is covered. */
  days: BucketRange | undefined;
  /** Every whole hour of the range, for tables that keep hours only. */
  wholeHours: BucketRange;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

export function planRange(from: number, to: number): RangePlan {
  const h0 = ceilDiv(from, HOUR_MS);
  const h1 = Math.floor(to / HOUR_MS);
  if (h0 >= h1) {
    const cut = h0 * HOUR_MS;
    const raw: [number, number][] =
      from < cut && cut < to
        ? [
            [from, cut],
            [cut, to],
          ]
        : to > from
          ? [[from, to]]
          : [];
    return { raw, hours: [], days: undefined, wholeHours: [h0, h0] };
  }
  const raw: [number, number][] = [];
  if (from < h0 * HOUR_MS) raw.push([from, h0 * HOUR_MS]);
  if (h1 * HOUR_MS < to) raw.push([h1 * HOUR_MS, to]);
  const d0 = ceilDiv(h0, HOURS_PER_DAY);
  const d1 = Math.floor(h1 / HOURS_PER_DAY);
  if (d0 >= d1) return { raw, hours: [[h0, h1]], days: undefined, wholeHours: [h0, h1] };
  const hours: BucketRange[] = [];
  if (h0 < d0 * HOURS_PER_DAY) hours.push([h0, d0 * HOURS_PER_DAY]);
  if (d1 * HOURS_PER_DAY < h1) hours.push([d1 * HOURS_PER_DAY, h1]);
  return { raw, hours, days: [d0, d1], wholeHours: [h0, h1] };
}
