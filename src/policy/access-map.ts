import { refuse } from './refusal.js';
import type { MailsteadError } from '../core/errors.js';

/** What an access map says about an address: accept it here and now, or refuse with a reply. */
export type AccessVerdict = { ok: true } | { ok: false; error: MailsteadError };

interface Entry {
  match: (address: string, local: string, domain: string) => boolean;
  verdict: AccessVerdict;
}

export interface AccessMap {
  lookup(address: string): AccessVerdict | undefined;
}

function parseAction(text: string, what: string): AccessVerdict {
  const m = /^(\S+)\s*(.*)$/.exec(text.trim());
  const word = (m?.[1] ?? '').toUpperCase();
  const rest = m?.[2] ?? '';
  if (word === 'OK') return { ok: true };
  if (word === 'REJECT') return { ok: false, error: refuse(554, '5.7.1', rest || `${what} rejected`) };
  if (word === 'DEFER')
    return {
      ok: false,
      error: refuse(450, '4.7.1', rest || `${what} temporarily rejected, try again later`),
    };
  const reply = /^([45]\d\d)\s+([45]\.\d{1,3}\.\d{1,3})\s*(.*)$/.exec(text.trim());
  if (reply && reply[1]![0] === reply[2]![0])
    return { ok: false, error: refuse(Number(reply[1]), reply[2]!, reply[3] || `${what} rejected`) };
  throw new Error(`access map action "${text}" is not OK, REJECT [text], DEFER [text] or "CODE X.Y.Z text"`);
}

function parseRegex(spec: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(spec);
  if (!m) throw new Error(`"${spec}" is not /regex/flags`);
  return new RegExp(m[1]!, m[2]!.includes('i') ? 'i' : '');
}

/**
 * Postfix check_*_access semantics in one list: `user@domain` exact, `domain` for the domain,
 * `.domain` for its subdomains, `user@` for a local part in any domain, `/regex/i` against the
 * whole address. Exact entries win over domain entries; otherwise the first match in list order.
 */
export function parseAccessMap(lines: readonly string[], what: string): AccessMap {
  const exact = new Map<string, AccessVerdict>();
  const ordered: Entry[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const m = (t.startsWith('/') ? /^(\/.*?\/[a-z]*)\s+(.+)$/ : /^(\S+)\s+(.+)$/).exec(t);
    if (!m) throw new Error(`access map line "${t}" needs a pattern and an action`);
    const pattern = m[1]!;
    const verdict = parseAction(m[2]!, what);
    const p = pattern.toLowerCase();
    if (p.startsWith('/')) {
      const re = parseRegex(pattern);
      ordered.push({ match: (a) => re.test(a), verdict });
    } else if (p.includes('@') && !p.endsWith('@')) exact.set(p, verdict);
    else if (p.endsWith('@')) ordered.push({ match: (_a, local) => `${local}@` === p, verdict });
    else if (p.startsWith('.')) ordered.push({ match: (_a, _l, domain) => domain.endsWith(p), verdict });
    else ordered.push({ match: (_a, _l, domain) => domain === p, verdict });
  }
  return {
    lookup(address) {
      const a = address.toLowerCase();
      const hit = exact.get(a);
      if (hit) return hit;
      const at = a.lastIndexOf('@');
      const local = at < 0 ? a : a.slice(0, at);
      const domain = at < 0 ? '' : a.slice(at + 1);
      return ordered.find((e) => e.match(a, local, domain))?.verdict;
    },
  };
}

/** Caches the parsed map of a list setting, parsed again only when the setting changes. */
export function cachedAccessMap(read: () => readonly string[], what: string): () => AccessMap {
  let key: string | undefined;
  let map: AccessMap = parseAccessMap([], what);
  return () => {
    const lines = read();
    const k = lines.join('\n');
    if (k !== key) {
      map = parseAccessMap(lines, what);
      key = k;
    }
    return map;
  };
}
