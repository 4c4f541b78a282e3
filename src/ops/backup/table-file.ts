import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { SqlValue } from '../../store/sql.js';

/**
 * One table as gzipped JSON lines: a header `{"table","columns"}`, then one array per row. JSON
 * keeps the dump readable by any backend and by people; bytes travel as `{"$b64": …}` because JSON
 * has no binary type.
 */
export interface TableHeader {
  table: string;
  columns: string[];
}

export function encodeValue(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $b64: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return { $int: v.toString() };
  if (v instanceof Date) return v.getTime();
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function decodeValue(v: unknown): SqlValue {
  if (v !== null && typeof v === 'object') {
    const o = v as { $b64?: string; $int?: string };
    if (o.$b64 !== undefined) return Buffer.from(o.$b64, 'base64');
    if (o.$int !== undefined) return BigInt(o.$int);
    throw new Error(`unknown value in table dump: ${JSON.stringify(v)}`);
  }
  return v as SqlValue;
}

export async function writeTableFile(
  file: string,
  header: TableHeader,
  rows: AsyncIterable<unknown[]>,
): Promise<void> {
  async function* lines() {
    yield JSON.stringify(header) + '\n';
    for await (const row of rows) yield JSON.stringify(row.map(encodeValue)) + '\n';
  }
  await pipeline(Readable.from(lines()), createGzip({ level: 6 }), createWriteStream(file, { mode: 0o600 }));
}

export async function readTableFile(
  file: string,
): Promise<{ header: TableHeader; rows: AsyncIterable<SqlValue[]> }> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })[
    Symbol.asyncIterator
  ]();
  const first = await lines.next();
  if (first.done) throw new Error(`${file} is empty`);
  const header = JSON.parse(first.value) as TableHeader;
  async function* rows() {
    for (let l = await lines.next(); !l.done; l = await lines.next()) {
      if (l.value) yield (JSON.parse(l.value) as unknown[]).map(decodeValue);
    }
  }
  return { header, rows: rows() };
}
