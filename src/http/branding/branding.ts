import { createHash } from 'node:crypto';
import { normalizeDomain } from '../../core/address.js';
import { OperatorError } from '../../core/errors.js';
import { authorize, can } from '../../directory/authorization.js';
import type { Directory } from '../../directory/directory.js';
import type { Actor } from '../../directory/types.js';
import {
  allBrandingRows,
  brandingRows,
  logoImage,
  putBranding,
  putLogo,
  removeBranding,
  removeLogo,
  type BrandingFields,
  type BrandingRow,
  type LogoMeta,
} from '../../store/http/branding-repo.js';
import type { SqlDb } from '../../store/sql.js';
import { ImageError, imageInfo } from './image-info.js';

/** The server-wide scope's name in URLs and on the command line. */
export const SERVER_SCOPE = '-';

/** SCOoffice's logo box: the login and header layout is made for at most this. */
export const LOGO_MAX = { width: 400, height: 50, bytes: 256 * 1024 } as const;

export const COLOUR_KEYS = ['accent', 'header', 'headerText'] as const;
export type ColourKey = (typeof COLOUR_KEYS)[number];

/** What a page shows for one hostname: each field from the most specific scope that sets it. */
export interface EffectiveBranding {
  productName: string | null;
  colours: Record<ColourKey, string | null>;
  logo: { url: string; width: number; height: number; contentType: string } | null;
}

/** One scope's own settings, as an administrator edits them. */
export interface ScopeBranding {
  /** `-` for the server, else the hostname or domain. */
  scope: string;
  productName: string | null;
  colours: Record<ColourKey, string | null>;
  logo: (LogoMeta & { url: string }) | null;
  /** When it last changed; null when nothing is stored for the scope. */
  updatedAt: number | null;
}

function scopeBranding(key: string, r: BrandingRow | undefined): ScopeBranding {
  return {
    scope: scopeName(key),
    productName: r?.productName ?? null,
    colours: { accent: r?.accent ?? null, header: r?.header ?? null, headerText: r?.headerText ?? null },
    logo: r?.logo ? { ...r.logo, url: logoUrl(key, r.logo.hash) } : null,
    updatedAt: r?.updatedAt ?? null,
  };
}

export interface BrandingUpdate {
  productName?: string | null;
  colours?: Partial<Record<ColourKey, string | null>>;
}

/** A field that cannot be stored; `key` names it, so the UI shows the error beside it. */
class BrandingFieldError extends OperatorError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

const COLOUR = /^#[0-9a-f]{6}$/;

/** WCAG 2 relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** WCAG AA for normal text: what the header and the buttons' white labels must reach. */
const MIN_CONTRAST = 4.5;

/**
 * The hostname a request was made to, from its Host header: lower-cased, without port or final
 * dot; null for an IP literal or anything that is not a DNS name (those get the server's branding).
 */
export function hostnameOf(host: string | undefined): string | null {
  if (!host || host.startsWith('[')) return null;
  return normalizeDomain(host.replace(/:\d*$/, '')) ?? null;
}

/** `mail.a.test` → `mail.a.test`, `a.test`: the scopes that may brand a hostname, most specific first. */
function chain(hostname: string | null): string[] {
  if (!hostname) return [];
  const labels = hostname.split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** The stored scope key for a scope as written by the caller: `-` is the server, else a DNS name with a dot. */
export function scopeKey(scope: string): string {
  if (scope === SERVER_SCOPE) return '';
  const name = normalizeDomain(scope);
  if (!name || !name.includes('.'))
    throw new OperatorError(
      `"${scope}" is not a branding scope: use ${SERVER_SCOPE} for the whole server, or a hostname or domain such as mail.example.com`,
    );
  return name;
}

export const scopeName = (key: string) => (key === '' ? SERVER_SCOPE : key);

export function logoUrl(scope: string, hash: string): string {
  return `/admin/brand/logo/${scopeName(scope)}?v=${hash.slice(0, 16)}`;
}

/**
 * Branding per server, domain and hostname (SCOoffice's logo per virtual host, NodeWorx's
 * reseller look): the product name, three colours and a logo. The login page knows only the
 * hostname it was opened at, so everything is chosen by hostname; a domain's branding covers
 * its hostnames (mail.a.test shows a.test's unless it has its own).
 *
 * Server admins brand any scope. A domain admin brands scopes their domain owns: the domain and
 * hostnames under it, unless a more specific domain in the directory owns the name.
 */
export class BrandingService {
  constructor(
    private readonly db: SqlDb,
    private readonly directory: Pick<Directory, 'isLocalDomain' | 'getDomain'>,
    private readonly now: () => number = Date.now,
  ) {}

  async effective(hostname: string | null): Promise<EffectiveBranding> {
    const scopes = [...chain(hostname), ''];
    const rows = new Map((await brandingRows(this.db, scopes)).map((r) => [r.scope, r]));
    const ordered = scopes.map((s) => rows.get(s)).filter((r): r is BrandingRow => r !== undefined);
    const first = <T>(pick: (r: BrandingRow) => T | null): T | null => {
      for (const r of ordered) {
        const v = pick(r);
        if (v !== null) return v;
      }
      return null;
    };
    // A stored colour is checked again here: it goes into a stylesheet.
    const colour = (k: ColourKey) => first((r) => (r[k] !== null && COLOUR.test(r[k]!) ? r[k] : null));
    const logoRow = ordered.find((r) => r.logo !== null);
    return {
      productName: first((r) => r.productName),
      colours: { accent: colour('accent'), header: colour('header'), headerText: colour('headerText') },
      logo: logoRow?.logo
        ? {
            url: logoUrl(logoRow.scope, logoRow.logo.hash),
            width: logoRow.logo.width,
            height: logoRow.logo.height,
            contentType: logoRow.logo.contentType,
          }
        : null,
    };
  }

  /** CSS custom properties for the hostname's colours (the CSP allows no inline style). */
  async stylesheet(hostname: string | null): Promise<string> {
    const { colours } = await this.effective(hostname);
    const vars = [
      colours.accent && `--accent: ${colours.accent};`,
      colours.header && `--header-bg: ${colours.header};`,
      colours.headerText && `--header-fg: ${colours.headerText};`,
    ].filter(Boolean);
    return vars.length ? `:root { ${vars.join(' ')} }\n` : '/* no branding colours for this hostname */\n';
  }

  /** The logo image of a stored scope, for the asset URL (public, like the login page). */
  async logo(scope: string): Promise<{ image: Buffer; contentType: string; hash: string } | undefined> {
    let key;
    try {
      key = scopeKey(scope);
    } catch {
      return undefined;
    }
    return logoImage(this.db, key);
  }

  /** The scopes with stored branding that the actor may change. */
  async list(actor: Actor): Promise<ScopeBranding[]> {
    const out: ScopeBranding[] = [];
    for (const r of await allBrandingRows(this.db))
      if (await this.mayBrand(actor, r.scope)) out.push(scopeBranding(r.scope, r));
    return out;
  }

  async get(scope: string, actor: Actor): Promise<ScopeBranding> {
    const key = await this.authorized(scope, actor, 'see the branding of');
    return scopeBranding(key, (await brandingRows(this.db, [key]))[0]);
  }

  async update(scope: string, update: BrandingUpdate, actor: Actor): Promise<ScopeBranding> {
    const key = await this.authorized(scope, actor, 'brand');
    const fields: Partial<BrandingFields> = {};
    if (update.productName !== undefined) fields.productName = productName(update.productName);
    for (const k of COLOUR_KEYS) {
      const v = update.colours?.[k];
      if (v === undefined) continue;
      if (v !== null && !COLOUR.test(v.toLowerCase()))
        throw new BrandingFieldError(k, `${k}: "${v}" is not a colour; write it as #rrggbb, e.g. #1f5fbf`);
      fields[k] = v === null ? null : v.toLowerCase();
    }
    const current = (await brandingRows(this.db, [key]))[0];
    checkContrast({ ...(current ?? {}), ...fields });
    await putBranding(this.db, key, fields, this.now());
    return this.get(scope, actor);
  }

  /** Stores a logo after reading its real type and size from the bytes. */
  async setLogo(scope: string, image: Uint8Array, actor: Actor): Promise<LogoMeta> {
    const key = await this.authorized(scope, actor, 'brand');
    if (image.length > LOGO_MAX.bytes)
      throw new ImageError(
        `the image is ${Math.ceil(image.length / 1024)} KB; a logo may have at most ${LOGO_MAX.bytes / 1024} KB`,
      );
    const info = imageInfo(image);
    if (info.width > LOGO_MAX.width || info.height > LOGO_MAX.height)
      throw new ImageError(
        `the logo is ${info.width}×${info.height} pixels; at most ${LOGO_MAX.width}×${LOGO_MAX.height} fits the login page and header`,
      );
    const meta: LogoMeta = {
      contentType: info.contentType,
      width: info.width,
      height: info.height,
      bytes: image.length,
      hash: createHash('sha256').update(image).digest('hex'),
    };
    await putLogo(this.db, key, image, meta, this.now());
    return meta;
  }

  async removeLogo(scope: string, actor: Actor): Promise<boolean> {
    return removeLogo(this.db, await this.authorized(scope, actor, 'brand'), this.now());
  }

  async remove(scope: string, actor: Actor): Promise<boolean> {
    return removeBranding(this.db, await this.authorized(scope, actor, 'brand'));
  }

  private async authorized(scope: string, actor: Actor, action: string): Promise<string> {
    const key = scopeKey(scope);
    authorize(await this.mayBrand(actor, key), actor, `${action} ${key === '' ? 'the whole server' : key}`);
    return key;
  }

  private async mayBrand(actor: Actor, key: string): Promise<boolean> {
    if (can.manageDomains(actor)) return true;
    if (key === '') return false;
    const owner = await this.owningDomain(key);
    return owner !== undefined && can.viewDomain(actor, owner);
  }

  /** The directory domain a name belongs to: itself or its nearest parent that is a domain of ours. */
  private async owningDomain(name: string): Promise<string | undefined> {
    for (const candidate of chain(name)) {
      if (!(await this.directory.isLocalDomain(candidate))) continue;
      const d = await this.directory.getDomain(candidate);
      return d.aliasOf ?? d.name;
    }
    return undefined;
  }
}

function productName(v: string | null): string | null {
  if (v === null) return null;
  const name = v.trim();
  if (!name) return null;
  if (name.length > 64 || /[\p{Cc}\p{Cf}]/u.test(name))
    throw new BrandingFieldError(
      'productName',
      'the product name must be at most 64 characters, without control or format characters',
    );
  return name;
}

function checkContrast(r: Partial<BrandingFields>): void {
  if (r.header && r.headerText && contrast(r.header, r.headerText) < MIN_CONTRAST)
    throw new BrandingFieldError(
      'headerText',
      `header text ${r.headerText} on ${r.header} has a contrast of ${contrast(r.header, r.headerText).toFixed(1)}:1; at least ${MIN_CONTRAST}:1 is needed to read it`,
    );
  if (r.accent && contrast(r.accent, '#ffffff') < MIN_CONTRAST)
    throw new BrandingFieldError(
      'accent',
      `buttons show white text on the accent colour: ${r.accent} gives ${contrast(r.accent, '#ffffff').toFixed(1)}:1; at least ${MIN_CONTRAST}:1 is needed (choose a darker colour)`,
    );
}
