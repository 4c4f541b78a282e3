import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { ConflictError, NotFoundError, OperatorError } from '../core/errors.js';
import { normalizeDomain } from '../core/address.js';
import type { Logger } from '../log/logger.js';
import { DkimRepo, type DkimKeyRow } from '../store/dkim/dkim-repo.js';
import type { SqlDb } from '../store/sql.js';

export type DkimAlgorithm = 'rsa' | 'ed25519';

/** The DNS record that publishes a key: name and TXT value (RFC 6376 §3.6.1, RFC 8463). */
export function dnsRecord(key: Pick<DkimKeyRow, 'domain' | 'selector' | 'algorithm' | 'publicKey'>): {
  name: string;
  value: string;
} {
  const der = key.publicKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  // Ed25519 publishes the raw 32-byte key, not the SPKI wrapper (RFC 8463 §4.2).
  const p = key.algorithm === 'ed25519' ? Buffer.from(der, 'base64').subarray(-32).toString('base64') : der;
  return { name: `${key.selector}._domainkey.${key.domain}`, value: `v=DKIM1; k=${key.algorithm}; p=${p}` };
}

function defaultSelector(now: number): string {
  const d = new Date(now);
  return `ms${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Extracts the domain of the From: header of a message, lower-cased. */
export function fromDomain(message: Buffer): string | undefined {
  const end = message.indexOf('\r\n\r\n');
  const head = message
    .subarray(0, end < 0 ? Math.min(message.length, 65536) : end)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const from = /^from:(.*)$/im.exec(head)?.[1];
  const addr = from ? (/<([^>]*)>/.exec(from)?.[1] ?? from).trim() : undefined;
  const at = addr?.lastIndexOf('@') ?? -1;
  return addr && at > 0 ? normalizeDomain(addr.slice(at + 1).replace(/[>\s].*$/, '')) : undefined;
}

/**
 * DKIM keys per domain with rotation by selector: `generate` makes a key (RSA 2048 or Ed25519)
 * and makes it the signing key; older keys stay listed so their DNS records can be kept until
 * mail signed with them has been verified, then removed.
 */
export class DkimService {
  private readonly repo: DkimRepo;

  constructor(
    db: SqlDb,
    private readonly log: Logger,
  ) {
    this.repo = new DkimRepo(db);
  }

  async generate(
    domainName: string,
    opts: { selector?: string; algorithm?: DkimAlgorithm; now?: number } = {},
  ): Promise<DkimKeyRow> {
    const domain = normalizeDomain(domainName);
    if (!domain) throw new OperatorError(`"${domainName}" is not a domain name`);
    const algorithm = opts.algorithm ?? 'rsa';
    if (algorithm !== 'rsa' && algorithm !== 'ed25519')
      throw new OperatorError(`algorithm must be rsa or ed25519, not "${algorithm as string}"`);
    const now = opts.now ?? Date.now();
    const selector = opts.selector ?? defaultSelector(now);
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(selector))
      throw new OperatorError(`"${selector}" is not a valid selector (letters, digits, hyphens)`);
    if ((await this.repo.list(domain)).some((k) => k.selector === selector))
      throw new ConflictError(`${domain} already has a key with selector ${selector}`);
    const pair =
      algorithm === 'rsa'
        ? generateKeyPairSync('rsa', {
            modulusLength: 2048,
            publicKeyEncoding: { type: 'spki', format: 'pem' },
            privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          })
        : generateKeyPairSync('ed25519', {
            publicKeyEncoding: { type: 'spki', format: 'pem' },
            privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          });
    const key = {
      domain,
      selector,
      algorithm,
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      createdAt: now,
    };
    await this.repo.add(key, true);
    this.log.info({ event: 'dkim_key_generated', domain, selector, algorithm });
    return { ...key, id: 0, active: true };
  }

  list(domain?: string): Promise<DkimKeyRow[]> {
    return this.repo.list(domain ? (normalizeDomain(domain) ?? domain) : undefined);
  }

  async activate(domain: string, selector: string): Promise<void> {
    if (!(await this.repo.activate(domain, selector)))
      throw new NotFoundError(`DKIM key ${selector} for ${domain}`);
  }

  async remove(domain: string, selector: string): Promise<void> {
    if (!(await this.repo.remove(domain, selector)))
      throw new NotFoundError(`DKIM key ${selector} for ${domain}`);
  }

  /**
   * Signs a message with the active key of its From: domain; a message from a domain without a
   * key leaves unchanged. Signing failures are logged and the message goes out unsigned rather
   * than not at all.
   */
  async sign(message: Buffer): Promise<Buffer> {
    const domain = fromDomain(message);
    if (!domain) return message;
    const key = await this.repo.active(domain);
    if (!key) return message;
    const signature = {
      canonicalization: 'relaxed/relaxed',
      signingDomain: domain,
      selector: key.selector,
      privateKey: key.privateKey,
      algorithm: key.algorithm === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
    };
    // mailauth 4 signs only what is listed in signatureData; the top-level fields satisfy its types.
    // Without signTime it reads the clock once for the header it hashes and again for the one it
    // writes, and a second boundary between the two leaves a signature that never verifies.
    const r = await dkimSign(message, { ...signature, signTime: new Date(), signatureData: [signature] });
    if (r.errors?.length || !r.signatures.trim()) {
      this.log.warn({
        event: 'dkim_sign_failed',
        domain,
        errors: r.errors.map((e) => String((e as Error).message ?? e)),
      });
      return message;
    }
    return Buffer.concat([Buffer.from(r.signatures, 'latin1'), message]);
  }
}
