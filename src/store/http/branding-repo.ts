import type { SqlDb } from '../sql.js';

/** What a scope may set; null means "not set here", so a wider scope's value applies. */
export interface BrandingFields {
  productName: string | null;
  accent: string | null;
  header: string | null;
  headerText: string | null;
}

export interface LogoMeta {
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  /** SHA-256 of the image, for the asset URL and ETag: a new logo is a new URL. */
  hash: string;
}

/** One stored row: `''` is the server-wide scope, any other a hostname or domain. */
export interface BrandingRow extends BrandingFields {
  scope: string;
  logo: LogoMeta | null;
  updatedAt: number;
}

const COLUMNS = `scope, product_name AS "productName", accent, header, header_text AS "headerText",
  logo_type AS "logoType", logo_width AS "logoWidth", logo_height AS "logoHeight",
  logo_bytes AS "logoBytes", logo_hash AS "logoHash", updated_at AS "updatedAt"`;

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

function row(r: Record<string, unknown>): BrandingRow {
  return {
    scope: String(r.scope),
    productName: text(r.productName),
    accent: text(r.accent),
    header: text(r.header),
    headerText: text(r.headerText),
    logo:
      r.logoHash === null || r.logoHash === undefined
        ? null
        : {
            contentType: String(r.logoType),
            width: Number(r.logoWidth),
            height: Number(r.logoHeight),
            bytes: Number(r.logoBytes),
            hash: String(r.logoHash),
          },
    updatedAt: Number(r.updatedAt),
  };
}

/** The rows of `scopes` that exist, without the images (one round trip per page load). */
export async function brandingRows(db: SqlDb, scopes: readonly string[]): Promise<BrandingRow[]> {
  if (!scopes.length) return [];
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM branding WHERE scope IN (${scopes.map(() => '?').join(', ')})`,
    scopes,
  );
  return rows.map(row);
}

export async function allBrandingRows(db: SqlDb): Promise<BrandingRow[]> {
  return (await db.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM branding ORDER BY scope`)).map(row);
}

/** Sets the given fields of a scope (creating its row), leaving the others as they are. */
export async function putBranding(
  db: SqlDb,
  scope: string,
  fields: Partial<BrandingFields>,
  now: number,
): Promise<void> {
  const columns: Record<keyof BrandingFields, string> = {
    productName: 'product_name',
    accent: 'accent',
    header: 'header',
    headerText: 'header_text',
  };
  const set = (Object.keys(columns) as (keyof BrandingFields)[]).filter((k) => fields[k] !== undefined);
  await db.run(
    `INSERT INTO branding (scope, ${set.map((k) => columns[k]).join(', ')}${set.length ? ', ' : ''}updated_at)
     VALUES (?, ${set.map(() => '?, ').join('')}?)
     ON CONFLICT (scope) DO UPDATE SET ${[...set.map((k) => columns[k]), 'updated_at']
       .map((c) => `${c} = excluded.${c}`)
       .join(', ')}`,
    [scope, ...set.map((k) => fields[k]!), now],
  );
}

export async function putLogo(
  db: SqlDb,
  scope: string,
  image: Uint8Array,
  meta: LogoMeta,
  now: number,
): Promise<void> {
  await db.run(
    `INSERT INTO branding (scope, logo, logo_type, logo_width, logo_height, logo_bytes, logo_hash, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (scope) DO UPDATE SET logo = excluded.logo, logo_type = excluded.logo_type,
       logo_width = excluded.logo_width, logo_height = excluded.logo_height,
       logo_bytes = excluded.logo_bytes, logo_hash = excluded.logo_hash, updated_at = excluded.updated_at`,
    [scope, image, meta.contentType, meta.width, meta.height, meta.bytes, meta.hash, now],
  );
}

export async function removeLogo(db: SqlDb, scope: string, now: number): Promise<boolean> {
  const r = await db.run(
    `UPDATE branding SET logo = NULL, logo_type = NULL, logo_width = NULL, logo_height = NULL,
       logo_bytes = NULL, logo_hash = NULL, updated_at = ? WHERE scope = ? AND logo_hash IS NOT NULL`,
    [now, scope],
  );
  return r.changes > 0;
}

export async function removeBranding(db: SqlDb, scope: string): Promise<boolean> {
  return (await db.run('DELETE FROM branding WHERE scope = ?', [scope])).changes > 0;
}

export async function logoImage(
  db: SqlDb,
  scope: string,
): Promise<{ image: Buffer; contentType: string; hash: string } | undefined> {
  const r = await db.get<{ logo: Uint8Array | null; logo_type: string; logo_hash: string }>(
    'SELECT logo, logo_type, logo_hash FROM branding WHERE scope = ?',
    [scope],
  );
  return r?.logo ? { image: Buffer.from(r.logo), contentType: r.logo_type, hash: r.logo_hash } : undefined;
}
