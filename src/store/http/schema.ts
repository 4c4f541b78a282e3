import type { SchemaComponent } from '../migration.js';
import { ddl } from '../sql.js';

/**
 * The HTTP layer's state: login sessions of the admin UI, API tokens for scripts, the
 * administrator's overrides of UI strings per locale, and branding per server, domain or hostname. Secrets are stored only as SHA-256 hashes:
 * a copy of the store does not log anyone in.
 */
export const httpSchema: SchemaComponent = {
  name: 'http',
  migrations: [
    {
      version: 1,
      name: 'login sessions, API tokens, UI string overrides',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE http_sessions (
              token_hash TEXT PRIMARY KEY,
              account_id {{bigint}} NOT NULL,
              csrf TEXT NOT NULL,
              created_at {{bigint}} NOT NULL,
              expires_at {{bigint}} NOT NULL
            );
            CREATE INDEX http_sessions_account ON http_sessions (account_id);
            CREATE TABLE api_tokens (
              id {{id}},
              account_id {{bigint}} NOT NULL,
              name TEXT NOT NULL,
              token_hash TEXT NOT NULL UNIQUE,
              created_at {{bigint}} NOT NULL,
              expires_at {{bigint}},
              last_used_at {{bigint}}
            );
            CREATE INDEX api_tokens_account ON api_tokens (account_id);
            CREATE TABLE ui_strings (
              locale TEXT NOT NULL,
              key TEXT NOT NULL,
              value TEXT NOT NULL,
              PRIMARY KEY (locale, key)
            );`,
          ),
        );
      },
    },
    {
      version: 2,
      name: 'branding: product name, colours and logo per scope',
      async up(db) {
        // One row per scope: '' for the server, else a hostname or domain. The logo is small
        // (400×50 at most), so it lives in the row and is served with the row's metadata.
        await db.exec(
          ddl(
            db,
            `CREATE TABLE branding (
              scope TEXT PRIMARY KEY,
              product_name TEXT,
              accent TEXT,
              header TEXT,
              header_text TEXT,
              logo {{blob}},
              logo_type TEXT,
              logo_width INTEGER,
              logo_height INTEGER,
              logo_bytes INTEGER,
              logo_hash TEXT,
              updated_at {{bigint}} NOT NULL
            );`,
          ),
        );
      },
    },
  ],
  async populate(db, version) {
    await db.run(
      "INSERT INTO http_sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES ('h', 1, 'c', 1, 2)",
    );
    await db.run(
      "INSERT INTO api_tokens (account_id, name, token_hash, created_at) VALUES (1, 'script', 'th', 1)",
    );
    await db.run("INSERT INTO ui_strings (locale, key, value) VALUES ('en', 'account.telex', 'Party')");
    if (version >= 2)
      await db.run(
        "INSERT INTO branding (scope, product_name, accent, updated_at) VALUES ('', 'Mail', '#123456', 1)",
      );
  },
};
