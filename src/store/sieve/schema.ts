import type { SchemaComponent } from '../migration.js';
import { createChangeVersion } from '../change-version.js';
import { ddl } from '../sql.js';

/** The change version of the scripts a delivery runs (see store/change-version.ts). */
export const SIEVE_VERSION = 'sieve_version';

/**
 * Sieve: each user's scripts (at most one active), the admin's global scripts run before and
 * after them (scope '' is server-wide, otherwise a domain), the rule-editor model each user's
 * generated script came from, and the memory of vacation replies and duplicate ids that must
 * outlive one delivery.
 */
export const sieveSchema: SchemaComponent = {
  name: 'sieve',
  migrations: [
    {
      version: 1,
      name: 'scripts, global scripts, rule models, vacation replies, duplicate ids',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE sieve_scripts (
              id {{id}},
              account_id {{bigint}} NOT NULL,
              name TEXT NOT NULL,
              content TEXT NOT NULL,
              active INTEGER NOT NULL DEFAULT 0,
              updated_at {{bigint}} NOT NULL,
              UNIQUE (account_id, name)
            );
            CREATE TABLE sieve_global_scripts (
              scope TEXT NOT NULL,
              position TEXT NOT NULL,
              content TEXT NOT NULL,
              updated_at {{bigint}} NOT NULL,
              PRIMARY KEY (scope, position)
            );
            CREATE TABLE sieve_rule_models (
              account_id {{bigint}} PRIMARY KEY,
              model TEXT NOT NULL,
              updated_at {{bigint}} NOT NULL
            );
            CREATE TABLE sieve_vacation_replies (
              account_id {{bigint}} NOT NULL,
              sender TEXT NOT NULL,
              handle TEXT NOT NULL,
              replied_at {{bigint}} NOT NULL,
              PRIMARY KEY (account_id, sender, handle)
            );
            CREATE TABLE sieve_duplicates (
              account_id {{bigint}} NOT NULL,
              dup_id TEXT NOT NULL,
              first_seen {{bigint}} NOT NULL,
              last_seen {{bigint}} NOT NULL,
              expires_at {{bigint}} NOT NULL,
              PRIMARY KEY (account_id, dup_id)
            );
            CREATE INDEX sieve_duplicates_expiry ON sieve_duplicates (expires_at);`,
          ),
        );
      },
    },
    {
      version: 2,
      name: 'a change version for the scripts deliveries run, so they can be remembered',
      async up(db) {
        await createChangeVersion(db, SIEVE_VERSION, [
          { table: 'sieve_scripts' },
          { table: 'sieve_global_scripts' },
        ]);
      },
    },
  ],
  async populate(db) {
    await db.run(
      "INSERT INTO sieve_scripts (account_id, name, content, active, updated_at) VALUES (1, 'main', 'keep;', 1, 1)",
    );
    await db.run(
      "INSERT INTO sieve_global_scripts (scope, position, content, updated_at) VALUES ('', 'before', 'keep;', 1)",
    );
    await db.run(
      'INSERT INTO sieve_rule_models (account_id, model, updated_at) VALUES (1, \'{"rules":[]}\', 1)',
    );
    await db.run(
      "INSERT INTO sieve_vacation_replies (account_id, sender, handle, replied_at) VALUES (1, 'a@b.test', 'h', 1)",
    );
    await db.run(
      "INSERT INTO sieve_duplicates (account_id, dup_id, first_seen, last_seen, expires_at) VALUES (1, 'x', 1, 1, 2)",
    );
  },
};
