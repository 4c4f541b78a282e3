import type { SchemaComponent } from '../migration.js';
import { createChangeVersion } from '../change-version.js';
import { ddl } from '../sql.js';

/** The change version of the tables recipients resolve from (see store/change-version.ts). */
export const DIRECTORY_VERSION = 'directory_version';

/** The columns an Account is read from; a migration adding one must add it to the trigger too. */
const ACCOUNT_FIELDS = [
  'address',
  'domain_id',
  'display_name',
  'role',
  'enabled',
  'quota_bytes',
  'quota_messages',
  'receive_local_only',
  'webmail',
  'group_id',
  'forward_to',
  'forward_keep_copy',
  'blob_volume',
  'created_at',
];

/**
 * The directory's tables. Addresses are stored canonical (`local@domain`, both lower-cased);
 * list-valued fields that are only ever read whole (forwarding targets) are newline-joined text,
 * the ones that are searched (alias members, owners) have their own tables.
 */
export const directorySchema: SchemaComponent = {
  name: 'directory',
  migrations: [
    {
      version: 1,
      name: 'domains, accounts, groups, aliases, send grants',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE domains (
              id {{id}},
              name TEXT NOT NULL UNIQUE,
              alias_of_id {{bigint}} REFERENCES domains (id) ON DELETE CASCADE,
              max_accounts INTEGER,
              max_aliases INTEGER,
              max_storage {{bigint}},
              catch_all TEXT,
              created_at {{bigint}} NOT NULL
            );
            CREATE TABLE account_groups (
              id {{id}},
              name TEXT NOT NULL UNIQUE,
              parent_id {{bigint}} REFERENCES account_groups (id),
              domain_id {{bigint}} REFERENCES domains (id),
              created_at {{bigint}} NOT NULL
            );
            CREATE TABLE accounts (
              id {{id}},
              address TEXT NOT NULL UNIQUE,
              domain_id {{bigint}} NOT NULL REFERENCES domains (id),
              display_name TEXT NOT NULL DEFAULT '',
              password_hash TEXT NOT NULL,
              role TEXT NOT NULL,
              enabled INTEGER NOT NULL DEFAULT 1,
              quota_bytes {{bigint}},
              quota_messages {{bigint}},
              receive_local_only INTEGER NOT NULL DEFAULT 0,
              webmail INTEGER NOT NULL DEFAULT 1,
              group_id {{bigint}} REFERENCES account_groups (id),
              forward_to TEXT NOT NULL DEFAULT '',
              forward_keep_copy INTEGER NOT NULL DEFAULT 1,
              blob_volume TEXT,
              used_bytes {{bigint}} NOT NULL DEFAULT 0,
              created_at {{bigint}} NOT NULL,
              updated_at {{bigint}} NOT NULL
            );
            CREATE INDEX accounts_domain ON accounts (domain_id);
            CREATE INDEX accounts_group ON accounts (group_id);
            CREATE TABLE group_admins (
              group_id {{bigint}} NOT NULL REFERENCES account_groups (id) ON DELETE CASCADE,
              account_id {{bigint}} NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              PRIMARY KEY (group_id, account_id)
            );
            CREATE TABLE aliases (
              id {{id}},
              address TEXT NOT NULL UNIQUE,
              domain_id {{bigint}} NOT NULL REFERENCES domains (id),
              restricted INTEGER NOT NULL DEFAULT 0,
              members_may_send INTEGER NOT NULL DEFAULT 1,
              created_at {{bigint}} NOT NULL
            );
            CREATE TABLE alias_members (
              alias_id {{bigint}} NOT NULL REFERENCES aliases (id) ON DELETE CASCADE,
              address TEXT NOT NULL,
              PRIMARY KEY (alias_id, address)
            );
            CREATE INDEX alias_members_address ON alias_members (address);
            CREATE TABLE alias_owners (
              alias_id {{bigint}} NOT NULL REFERENCES aliases (id) ON DELETE CASCADE,
              account_id {{bigint}} NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              PRIMARY KEY (alias_id, account_id)
            );
            CREATE TABLE alias_senders (
              alias_id {{bigint}} NOT NULL REFERENCES aliases (id) ON DELETE CASCADE,
              address TEXT NOT NULL,
              PRIMARY KEY (alias_id, address)
            );
            CREATE TABLE send_grants (
              id {{id}},
              mailbox TEXT NOT NULL,
              account_id {{bigint}} REFERENCES accounts (id) ON DELETE CASCADE,
              group_id {{bigint}} REFERENCES account_groups (id) ON DELETE CASCADE,
              permission TEXT NOT NULL,
              created_at {{bigint}} NOT NULL
            );
            CREATE INDEX send_grants_mailbox ON send_grants (mailbox);`,
          ),
        );
      },
    },
    {
      version: 2,
      name: 'domain-wide contacts (the address book), optionally in a group',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE directory_contacts (
              id {{id}},
              domain_id {{bigint}} NOT NULL,
              group_id {{bigint}},
              name TEXT NOT NULL,
              email TEXT NOT NULL,
              phone TEXT NOT NULL DEFAULT '',
              company TEXT NOT NULL DEFAULT '',
              title TEXT NOT NULL DEFAULT '',
              created_at {{bigint}} NOT NULL
            );
            CREATE INDEX directory_contacts_domain ON directory_contacts (domain_id, name);`,
          ),
        );
      },
    },
    {
      version: 3,
      name: 'SCRAM verifiers (RFC 5802) per account and hash, never the password itself',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE scram_credentials (
              account_id {{bigint}} NOT NULL,
              mechanism TEXT NOT NULL,
              salt TEXT NOT NULL,
              iterations INTEGER NOT NULL,
              stored_key TEXT NOT NULL,
              server_key TEXT NOT NULL,
              PRIMARY KEY (account_id, mechanism)
            );`,
          ),
        );
      },
    },
    {
      version: 4,
      name: 'a change version for the records recipients resolve to, so they can be remembered',
      async up(db) {
        await createChangeVersion(db, DIRECTORY_VERSION, [
          { table: 'domains' },
          // Not used_bytes, which every delivery changes, nor the password (not part of a recipient).
          { table: 'accounts', columns: ACCOUNT_FIELDS },
          { table: 'aliases' },
          { table: 'alias_members' },
          { table: 'alias_owners' },
          { table: 'alias_senders' },
        ]);
      },
    },
  ],
  /** Rows valid at every version, for the upgrade test: a domain, a group, an admin account. */
  async populate(db, version) {
    if (version < 1) return;
    const now = Date.now();
    await db.run(`INSERT INTO domains (name, created_at) VALUES ('populate.test', ?)`, [now]);
    const d = await db.get<{ id: number }>(`SELECT id FROM domains WHERE name = 'populate.test'`);
    await db.run(`INSERT INTO account_groups (name, domain_id, created_at) VALUES ('populate-group', ?, ?)`, [
      d!.id,
      now,
    ]);
    await db.run(
      `INSERT INTO accounts (address, domain_id, password_hash, role, created_at, updated_at) VALUES ('admin@populate.test', ?, '$scrypt$x', 'server-admin', ?, ?)`,
      [d!.id, now, now],
    );
    if (version >= 2)
      await db.run(
        `INSERT INTO directory_contacts (domain_id, name, email, created_at) VALUES (?, 'Populate', 'p@example.test', ?)`,
        [d!.id, now],
      );
    if (version >= 3)
      await db.run(
        `INSERT INTO scram_credentials (account_id, mechanism, salt, iterations, stored_key, server_key)
         SELECT id, 'SCRAM-SHA-256', 'AA==', 4096, 'AA==', 'AA==' FROM accounts WHERE address = 'admin@populate.test'`,
      );
  },
};
