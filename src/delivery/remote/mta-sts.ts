import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { MtaStsRepo } from '../../store/remote/mta-sts-repo.js';
import type { DnsLookups } from './dns-cache.js';

/** An MTA-STS policy (RFC 8461 §3.2). */
export interface StsPolicy {
  mode: 'enforce' | 'testing' | 'none';
  /** MX patterns: a host name, or `*.` and a domain for one more leftmost label. */
  mx: string[];
  /** Seconds the policy may be cached. */
  maxAge: number;
}

const MAX_POLICY_BYTES = 64 * 1024;
/** RFC 8461 §3.2: max_age is at most 31557600 (a year). */
const MAX_AGE_LIMIT = 31_557_600;

/** The id of a `_mta-sts` TXT record (`v=STSv1; id=...`), or undefined when it is not one. */
export function parseStsRecord(txt: string): string | undefined {
  const fields = new Map<string, string>();
  for (const f of txt.split(';')) {
    const m = /^\s*([A-Za-z0-9_]+)=([^;]*?)\s*$/.exec(f);
    if (m) fields.set(m[1]!, m[2]!);
    else if (f.trim()) return undefined;
  }
  if (!txt.startsWith('v=STSv1') || fields.get('v') !== 'STSv1') return undefined;
  const id = fields.get('id');
  return id && /^[A-Za-z0-9]{1,32}$/.test(id) ? id : undefined;
}

/** Parses a policy file; throws a specific error for what makes it invalid. */
export function parseStsPolicy(text: string): StsPolicy {
  const fields = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^([A-Za-z0-9_]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) throw new Error(`MTA-STS policy line is not KEY: VALUE: ${JSON.stringify(line.slice(0, 80))}`);
    fields.set(m[1]!, [...(fields.get(m[1]!) ?? []), m[2]!]);
  }
  if (fields.get('version')?.[0] !== 'STSv1') throw new Error('MTA-STS policy has no "version: STSv1"');
  const mode = fields.get('mode')?.[0];
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none')
    throw new Error(`MTA-STS policy mode ${JSON.stringify(mode ?? '')} is not enforce, testing or none`);
  const age = fields.get('max_age')?.[0] ?? '';
  if (!/^\d{1,10}$/.test(age) || Number(age) > MAX_AGE_LIMIT)
    throw new Error(`MTA-STS policy max_age ${JSON.stringify(age)} is not 0..${MAX_AGE_LIMIT}`);
  const mx = (fields.get('mx') ?? []).map((p) => p.toLowerCase().replace(/\.$/, ''));
  if (mode !== 'none' && !mx.length) throw new Error('MTA-STS policy names no mx');
  for (const p of mx)
    if (!/^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(p))
      throw new Error(`MTA-STS mx pattern ${JSON.stringify(p)} is invalid`);
  return { mode, mx, maxAge: Number(age) };
}

/** Whether an MX host name matches a policy pattern (RFC 8461 §4.1: a wildcard covers one label). */
export function mxMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!pattern.startsWith('*.')) return h === pattern;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === pattern.slice(2);
}

export interface MtaStsOptions {
  /**
   * The port the policy host is reached on. Tests set it, since 443 on loopback is not theirs to
   * take; it is no config key, and it never changes the name the certificate must match.
   */
  httpsPort?: number;
  /** Trusted CAs instead of the system's, for tests with their own CA (not settable by config). */
  ca?: string;
  timeoutMs?: number;
}

/** Where policies outlive the process; a failure to store one is reported, the policy applies anyway. */
export interface StsPolicyStore {
  repo: Pick<MtaStsRepo, 'get' | 'put' | 'dropExpired'>;
  onError: (what: string, domain: string, e: unknown) => void;
}

interface Cached {
  id: string;
  policy: StsPolicy;
  expires: number;
}

/**
 * MTA-STS for outbound mail (RFC 8461): the `_mta-sts` TXT record says a policy exists and its
 * id; the policy comes from https://mta-sts.DOMAIN/.well-known/mta-sts.txt over verified TLS and
 * is kept for its max_age. A failed lookup or fetch falls back to a cached policy that has not
 * expired (§5.1), so an attacker who blocks them cannot turn the policy off. With a `store`, the
 * cache outlives restarts (§5: policies are cached for max_age, not for the process's life): a
 * domain's stored policy is read on its first lookup, and every fetched policy is written.
 */
export class MtaSts {
  private readonly cache = new Map<string, Cached>();
  /** Domains whose stored policy has been read into `cache` (or found missing). */
  private readonly loaded = new Set<string>();
  private readonly inflight = new Map<string, Promise<StsPolicy | undefined>>();

  constructor(
    private readonly dns: () => Pick<DnsLookups, 'resolveTxt' | 'resolve4'>,
    private readonly opts: MtaStsOptions = {},
    private readonly store?: StsPolicyStore,
    private readonly now: () => number = Date.now,
  ) {}

  policyFor(domain: string): Promise<StsPolicy | undefined> {
    const d = domain.toLowerCase();
    let p = this.inflight.get(d);
    if (!p) {
      p = this.lookup(d).finally(() => this.inflight.delete(d));
      this.inflight.set(d, p);
    }
    return p;
  }

  private async valid(domain: string): Promise<Cached | undefined> {
    if (this.store && !this.loaded.has(domain)) {
      try {
        const s = await this.store.repo.get(domain);
        if (s)
          this.cache.set(domain, {
            id: s.id,
            policy: { mode: s.mode, mx: s.mx, maxAge: s.maxAge },
            expires: s.expiresAt,
          });
        this.loaded.add(domain);
      } catch (e) {
        this.store.onError('read', domain, e);
      }
    }
    const c = this.cache.get(domain);
    if (c && c.expires > this.now()) return c;
    if (c) {
      this.cache.delete(domain);
      const now = this.now();
      this.store?.repo
        .dropExpired(domain, now)
        .catch((e: unknown) => this.store!.onError('expire', domain, e));
    }
    return undefined;
  }

  private async lookup(domain: string): Promise<StsPolicy | undefined> {
    const cached = await this.valid(domain);
    let ids: string[];
    try {
      ids = (await this.dns().resolveTxt(`_mta-sts.${domain}`))
        .map((chunks) => parseStsRecord(chunks.join('')))
        .filter((id): id is string => id !== undefined);
    } catch {
      return cached?.policy;
    }
    // §3.1: more than one record, or none, means no (new) policy is announced.
    if (ids.length !== 1) return cached?.policy;
    const id = ids[0]!;
    if (cached?.id === id) return cached.policy;
    try {
      const policy = parseStsPolicy(await this.fetch(domain));
      const fetchedAt = this.now();
      const expires = fetchedAt + policy.maxAge * 1000;
      this.cache.set(domain, { id, policy, expires });
      await this.store?.repo
        .put({ domain, id, ...policy, fetchedAt, expiresAt: expires })
        .catch((e: unknown) => this.store!.onError('write', domain, e));
      return policy;
    } catch {
      return cached?.policy;
    }
  }

  /** The policy file over HTTPS with the certificate checked against mta-sts.DOMAIN; no redirects. */
  private fetch(domain: string): Promise<string> {
    const host = `mta-sts.${domain}`;
    const lookup: LookupFunction = (hostname, options, cb) => {
      this.dns()
        .resolve4(hostname)
        .then(
          (a) => {
            if (options.all)
              cb(
                null,
                a.map((address) => ({ address, family: 4 })),
              );
            else cb(null, a[0]!, 4);
          },
          (e: NodeJS.ErrnoException) => cb(e, '', 4),
        );
    };
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port: this.opts.httpsPort ?? 443,
          path: '/.well-known/mta-sts.txt',
          servername: host,
          lookup,
          agent: false,
          rejectUnauthorized: true,
          minVersion: 'TLSv1.2',
          ...(this.opts.ca ? { ca: this.opts.ca } : {}),
          timeout: this.opts.timeoutMs ?? 10_000,
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            return reject(new Error(`MTA-STS policy fetch from ${host}: HTTP ${res.statusCode}`));
          }
          if (!/^text\/plain\b/i.test(res.headers['content-type'] ?? ''))
            return (res.resume(), reject(new Error(`MTA-STS policy from ${host} is not text/plain`)));
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_POLICY_BYTES) req.destroy(new Error(`MTA-STS policy from ${host} is too large`));
            else chunks.push(c);
          });
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`MTA-STS policy fetch from ${host} timed out`)));
      req.on('error', reject);
      req.end();
    });
  }
}
