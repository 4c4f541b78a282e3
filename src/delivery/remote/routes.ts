import { OperatorError } from '../../core/errors.js';

/** Where mail for a domain goes: a fixed relay (smarthost) or the domain's MX (relay undefined). */
export interface Route {
  /** The pattern as written: `example.com`, `.example.com`, or `` for the default route. */
  pattern: string;
  relay: string | undefined;
  port: number;
  auth: { user: string; pass: string } | undefined;
}

/**
 * Parses one smtproutes entry, qmail style: `DOMAIN:RELAY[:PORT] [USER PASSWORD]`. RELAY may be
 * an IPv6 address in brackets. Errors name the entry so `config set smtp.routes` can show them.
 */
export function parseRoute(entry: string): Route {
  const m = /^\s*([^:\s]*):(\[[0-9a-fA-F:.]+\]|[^:\s]*)(?::(\d+))?(?:\s+(\S+)\s+(\S+))?\s*$/.exec(entry);
  if (!m) throw new OperatorError(`smtp.routes: "${entry}" is not DOMAIN:RELAY[:PORT] [USER PASSWORD]`);
  const port = m[3] ? Number(m[3]) : 25;
  if (port < 1 || port > 65535)
    throw new OperatorError(`smtp.routes: port ${port} in "${entry}" is out of range 1..65535`);
  const relay = m[2] ? m[2].replace(/^\[|\]$/g, '') : undefined;
  return {
    pattern: m[1]!.toLowerCase(),
    relay,
    port,
    auth: m[4] && m[5] ? { user: m[4], pass: m[5] } : undefined,
  };
}

export class RouteTable {
  private readonly byPattern = new Map<string, Route>();

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const r = parseRoute(e);
      // qmail takes the first matching line; keep the first of duplicates.
      if (!this.byPattern.has(r.pattern)) this.byPattern.set(r.pattern, r);
    }
  }

  /**
   * The route for a domain: an exact entry, then `.parent` entries from the nearest parent up
   * (a leading-dot entry never matches the domain itself), then the default route.
   */
  lookup(domain: string): Route | undefined {
    const d = domain.toLowerCase();
    const exact = this.byPattern.get(d);
    if (exact) return exact;
    for (let i = d.indexOf('.'); i >= 0; i = d.indexOf('.', i + 1)) {
      const r = this.byPattern.get(d.slice(i));
      if (r) return r;
    }
    return this.byPattern.get('');
  }
}
