/**
 * Flags that mbox writers keep in headers: `Status: RO` (read, old), `X-Status: AFTD` (answered,
 * flagged, draft, deleted; mutt and Dovecot), `X-Keywords:` (Dovecot). These headers, and
 * Dovecot's `X-UID` / `X-IMAPbase` and mboxcl's `Content-Length`, describe the old store, not the
 * message: they are removed.
 */
const STORAGE_HEADERS = new Set([
  'status',
  'x-status',
  'x-keywords',
  'x-uid',
  'x-imapbase',
  'x-imap',
  'content-length',
]);
const X_STATUS: Record<string, string> = { A: '\\Answered', F: '\\Flagged', T: '\\Draft', D: '\\Deleted' };

export function takeMboxFlags(raw: Buffer): { raw: Buffer; flags: string[] } {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end).toString('latin1');
  const fields = head.split(/(?=^[^ \t\r\n])/m);
  const flags = new Set<string>();
  const kept: string[] = [];
  for (const f of fields) {
    const colon = f.indexOf(':');
    const name = colon > 0 ? f.slice(0, colon).trim().toLowerCase() : '';
    if (!STORAGE_HEADERS.has(name)) {
      kept.push(f);
      continue;
    }
    const value = f.slice(colon + 1).trim();
    if (name === 'status' && value.includes('R')) flags.add('\\Seen');
    if (name === 'x-status') for (const c of value) if (X_STATUS[c]) flags.add(X_STATUS[c]!);
    if (name === 'x-keywords') for (const k of value.split(/[\s,]+/)) if (k) flags.add(k);
  }
  if (kept.length === fields.length) return { raw, flags: [...flags] };
  return { raw: Buffer.concat([Buffer.from(kept.join(''), 'latin1'), raw.subarray(end)]), flags: [...flags] };
}

/** Offset just past the header block (at the empty line), or the whole buffer when there is none. */
function headerEnd(raw: Buffer): number {
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) {
    if (raw[i + 1] === 10) return i + 1;
    if (raw[i + 1] === 13 && raw[i + 2] === 10) return i + 1;
  }
  return raw.length;
}
