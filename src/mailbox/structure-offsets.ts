/**
 * The structure is parsed once per blob, with offsets into the blob. A message is its prefix
 * (per-recipient trace headers) followed by the blob, so every offset moves by the prefix length,
 * except that the message's own header still starts at 0: the prefix is part of it.
 */
export function shiftStructure(body: unknown, prefixLength: number): unknown {
  if (!prefixLength || !body || typeof body !== 'object') return body;
  const shifted = shift(body, prefixLength) as Record<string, unknown>;
  if (typeof shifted.headerStart === 'number') shifted.headerStart = 0;
  return shifted;
}

const OFFSETS = new Set(['headerStart', 'bodyStart', 'end']);

function shift(v: unknown, by: number): unknown {
  if (Array.isArray(v)) return v.map((x) => shift(x, by));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    out[k] = OFFSETS.has(k) && typeof x === 'number' ? x + by : shift(x, by);
  return out;
}
