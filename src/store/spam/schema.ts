import type { SchemaComponent } from '../migration.js';
import { ddl } from '../sql.js';

/**
 * Spam and virus scanning: Bayes token counts and the ledger of learned messages per owner
 * ('' is the global database, otherwise an account id), sender reputation (AWL), users'
 * preferences and allow/block lists, the verdict of each scanned message (the "why"), which
 * messages sit in a Junk folder and who put them there (for move training), training counts per
 * day, the virus quarantine, and how many messages each scanner passed or stopped per hour.
 */
export const spamSchema: SchemaComponent = {
  name: 'spam',
  migrations: [
    {
      version: 1,
      name: 'bayes, reputation, preferences, verdicts, junk ledger, training counts, quarantine',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE spam_bayes_totals (
              owner TEXT PRIMARY KEY,
              spam {{bigint}} NOT NULL DEFAULT 0,
              ham {{bigint}} NOT NULL DEFAULT 0
            );
            CREATE TABLE spam_bayes_tokens (
              owner TEXT NOT NULL,
              token TEXT NOT NULL,
              spam {{bigint}} NOT NULL DEFAULT 0,
              ham {{bigint}} NOT NULL DEFAULT 0,
              PRIMARY KEY (owner, token)
            );
            CREATE TABLE spam_bayes_learned (
              owner TEXT NOT NULL,
              msg_id TEXT NOT NULL,
              class TEXT NOT NULL,
              learned_at {{bigint}} NOT NULL,
              PRIMARY KEY (owner, msg_id)
            );
            CREATE TABLE spam_reputation (
              sender_key TEXT PRIMARY KEY,
              count {{bigint}} NOT NULL,
              total DOUBLE PRECISION NOT NULL,
              updated_at {{bigint}} NOT NULL
            );
            CREATE TABLE spam_prefs (
              account_id {{bigint}} PRIMARY KEY,
              required_score DOUBLE PRECISION,
              updated_at {{bigint}} NOT NULL
            );
            CREATE TABLE spam_sender_lists (
              account_id {{bigint}} NOT NULL,
              list TEXT NOT NULL,
              pattern TEXT NOT NULL,
              PRIMARY KEY (account_id, list, pattern)
            );
            CREATE TABLE spam_verdicts (
              queue_id TEXT PRIMARY KEY,
              message_id TEXT,
              from_address TEXT,
              score DOUBLE PRECISION NOT NULL,
              required DOUBLE PRECISION NOT NULL,
              action TEXT NOT NULL,
              hits TEXT NOT NULL,
              created_at {{bigint}} NOT NULL
            );
            CREATE INDEX spam_verdicts_created ON spam_verdicts (created_at);
            CREATE TABLE spam_junk_ledger (
              account_id {{bigint}} NOT NULL,
              msg_id TEXT NOT NULL,
              source TEXT NOT NULL,
              at {{bigint}} NOT NULL,
              PRIMARY KEY (account_id, msg_id)
            );
            CREATE TABLE spam_training_counts (
              account_id {{bigint}} NOT NULL,
              day TEXT NOT NULL,
              count {{bigint}} NOT NULL,
              PRIMARY KEY (account_id, day)
            );
            CREATE TABLE virus_quarantine (
              id TEXT PRIMARY KEY,
              virus TEXT NOT NULL,
              sender TEXT NOT NULL,
              recipients TEXT NOT NULL,
              client_ip TEXT,
              blob_hash TEXT NOT NULL,
              size {{bigint}} NOT NULL,
              created_at {{bigint}} NOT NULL
            );`,
          ),
        );
      },
    },
    {
      version: 2,
      name: 'scan results counted per hour, for the dashboard graphs',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE scan_counts (
              hour {{bigint}} NOT NULL,
              scanner TEXT NOT NULL,
              result TEXT NOT NULL,
              n {{bigint}} NOT NULL,
              PRIMARY KEY (hour, scanner, result)
            );`,
          ),
        );
      },
    },
    {
      version: 3,
      name: "the virus stage's result beside each spam verdict, for the message trace",
      async up(db) {
        // Kept in the verdict row the spam stage writes anyway: no extra write per message.
        await db.exec('ALTER TABLE spam_verdicts ADD COLUMN virus TEXT');
      },
    },
  ],
  async populate(db, version) {
    await db.run("INSERT INTO spam_bayes_totals (owner, spam, ham) VALUES ('', 1, 1)");
    await db.run("INSERT INTO spam_bayes_tokens (owner, token, spam, ham) VALUES ('', 'viagra', 1, 0)");
    await db.run(
      "INSERT INTO spam_bayes_learned (owner, msg_id, class, learned_at) VALUES ('', '<a@b>', 'spam', 1)",
    );
    await db.run(
      "INSERT INTO spam_reputation (sender_key, count, total, updated_at) VALUES ('a@b.test|10.0', 1, 2.5, 1)",
    );
    await db.run('INSERT INTO spam_prefs (account_id, required_score, updated_at) VALUES (1, 4.5, 1)');
    await db.run("INSERT INTO spam_sender_lists (account_id, list, pattern) VALUES (1, 'allow', '*@b.test')");
    await db.run(
      "INSERT INTO spam_verdicts (queue_id, message_id, from_address, score, required, action, hits, created_at) VALUES ('q1', '<a@b>', 'a@b.test', 1, 5, 'accept', '[]', 1)",
    );
    if (version >= 3) await db.run("UPDATE spam_verdicts SET virus = 'clean' WHERE queue_id = 'q1'");
    await db.run(
      "INSERT INTO spam_junk_ledger (account_id, msg_id, source, at) VALUES (1, '<a@b>', 'delivery', 1)",
    );
    await db.run("INSERT INTO spam_training_counts (account_id, day, count) VALUES (1, '2024-01-01', 1)");
    await db.run(
      "INSERT INTO virus_quarantine (id, virus, sender, recipients, client_ip, blob_hash, size, created_at) VALUES ('v1', 'Eicar', 'a@b.test', '[]', NULL, 'h', 1, 1)",
    );
  },
};
