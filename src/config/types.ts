import { parseDuration, parseSize } from '../core/size.js';

/**
 * A setting's type: how a value is read from the command line and from the config file, and how
 * it is written back. `parse` returns the value or a short phrase saying what is wrong.
 */
export interface ValueType<T> {
  name: string;
  parse(text: string): T | { error: string };
  fromFile(raw: unknown): T | { error: string };
  toFile(value: T): unknown;
  format(value: T): string;
}

export type Parsed<T> = T | { error: string };

export function isError<T>(v: Parsed<T>): v is { error: string } {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && 'error' in v && Object.keys(v).length === 1
  );
}

function scalar<T>(
  name: string,
  parse: (t: string) => Parsed<T>,
  format: (v: T) => string = String,
): ValueType<T> {
  return {
    name,
    parse,
    fromFile: (raw) =>
      typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
        ? parse(String(raw))
        : { error: `expected ${name}` },
    toFile: (v) => v,
    format,
  };
}

export const stringType = scalar<string>('string', (t) => t);

export function intType(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): ValueType<number> {
  return scalar('integer', (t) => {
    if (!/^-?\d+$/.test(t.trim())) return { error: `"${t}" is not an integer` };
    const n = Number(t);
    if (n < min || n > max) return { error: `${n} is out of range ${min}..${max}` };
    return n;
  });
}

export const boolType = scalar<boolean>(
  'boolean',
  (t) => {
    const v = t.trim().toLowerCase();
    if (['yes', 'true', 'on', '1'].includes(v)) return true;
    if (['no', 'false', 'off', '0'].includes(v)) return false;
    return { error: `"${t}" is not a boolean (use yes or no)` };
  },
  (v) => (v ? 'yes' : 'no'),
);

/** Bytes, written as `10M`, `512K`, or a byte count. */
export const sizeType: ValueType<number> = {
  ...scalar<number>('size', (t) => parseSize(t) ?? { error: `"${t}" is not a size (e.g. 25M, 512K)` }),
  toFile: (v) => v,
};

/** Milliseconds, written as `300s`, `5m`, `4h`, `5d`. */
export const durationType: ValueType<number> = {
  ...scalar<number>(
    'duration',
    (t) => parseDuration(t) ?? { error: `"${t}" is not a duration (e.g. 300s, 5m, 4h, 5d)` },
  ),
  toFile: (v) => formatDuration(v),
  format: (v) => formatDuration(v),
};

function formatDuration(ms: number): string {
  for (const [u, n] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= n && ms % n === 0) return `${ms / n}${u}`;
  }
  return `${ms}ms`;
}

export function enumType<E extends string>(values: readonly E[]): ValueType<E> {
  return scalar<E>(`one of ${values.join('|')}`, (t) =>
    (values as readonly string[]).includes(t)
      ? (t as E)
      : { error: `"${t}" is not one of ${values.join(', ')}` },
  );
}

/** A list of items, each checked by `item`; on the command line comma- or newline-separated. */
export function listType<T>(item: ValueType<T>): ValueType<T[]> {
  const parseItems = (parts: string[]): Parsed<T[]> => {
    const out: T[] = [];
    for (const p of parts) {
      const v = item.parse(p);
      if (isError(v)) return v;
      out.push(v);
    }
    return out;
  };
  return {
    name: `list of ${item.name}`,
    parse: (t) =>
      parseItems(
        t
          .split(/[\n,]/)
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    fromFile: (raw) => {
      if (typeof raw === 'string')
        return parseItems(
          raw
            .split(/[\n,]/)
            .map((s) => s.trim())
            .filter(Boolean),
        );
      if (!Array.isArray(raw)) return { error: `expected a list of ${item.name}` };
      return parseItems(raw.map(String));
    },
    toFile: (v) => v.map((x) => item.toFile(x)),
    format: (v) => v.map((x) => item.format(x)).join(', '),
  };
}

/** `HOST:PORT`, with IPv6 hosts in brackets. */
export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(t: string): Parsed<ListenAddress> {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d+)$/.exec(t.trim());
  if (!m) return { error: `"${t}" is not HOST:PORT` };
  const port = Number(m[3]);
  if (port < 0 || port > 65535) return { error: `port ${port} is out of range 0..65535` };
  return { host: (m[1] ?? m[2])!, port };
}

export function formatListenAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** A listener setting: one or more `HOST:PORT`, or `off` (an empty list). */
export const listenType: ValueType<ListenAddress[]> = (() => {
  const parse = (t: string): Parsed<ListenAddress[]> => {
    if (t.trim().toLowerCase() === 'off' || t.trim() === '') return [];
    const out: ListenAddress[] = [];
    for (const part of t.split(/[\s,]+/).filter(Boolean)) {
      const a = parseListenAddress(part);
      if (isError(a)) return a;
      out.push(a);
    }
    return out;
  };
  return {
    name: 'HOST:PORT list or off',
    parse,
    fromFile: (raw) =>
      Array.isArray(raw)
        ? parse(raw.join(','))
        : typeof raw === 'string'
          ? parse(raw)
          : { error: 'expected HOST:PORT or off' },
    toFile: (v) => (v.length ? v.map(formatListenAddress).join(', ') : 'off'),
    format: (v) => (v.length ? v.map(formatListenAddress).join(', ') : 'off'),
  };
})();

/** An IPv4/IPv6 network in CIDR form, or a single address. */
export const cidrType = scalar<string>('network (CIDR)', (t) => {
  const m = /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/.exec(t.trim());
  if (!m) return { error: `"${t}" is not an address or CIDR network` };
  const isV6 = m[1]!.includes(':');
  if (!isV6 && !/^\d{1,3}(\.\d{1,3}){3}$/.test(m[1]!)) return { error: `"${t}" is not an IPv4 address` };
  const bits = m[2] === undefined ? undefined : Number(m[2]);
  if (bits !== undefined && bits > (isV6 ? 128 : 32)) return { error: `prefix /${bits} is too long` };
  return t.trim();
});
