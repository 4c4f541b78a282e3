import type { SchemaComponent } from '../migration.js';
import { ddl } from '../sql.js';

/**
 * The mail queue: one row per accepted message, one per recipient with its own state, the
 * attempt history, and the accounts whose outgoing mail is held by the compromised-account guard.
 * `queue_recipients (state, next_attempt, id, queue_id, kind)` lets the queue manager pick due
 * work in order from the index alone, without scanning a large deferred backlog.
 */
export const queueSchema: SchemaComponent = {
  name: 'queue',
  migrations: [
    {
      version: 1,
      name: 'messages, recipients, attempts, held accounts',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE queue_messages (
              id TEXT PRIMARY KEY,
              sender TEXT NOT NULL,
              blob_hash TEXT NOT NULL,
              blob_volume TEXT NOT NULL DEFAULT '',
              size {{bigint}} NOT NULL,
              trace TEXT NOT NULL,
              message_id TEXT,
              subject TEXT,
              client_ip TEXT,
              client_name TEXT,
              helo TEXT,
              auth_user TEXT,
              source TEXT NOT NULL,
              dsn_ret TEXT,
              dsn_envid TEXT,
              received_at {{bigint}} NOT NULL
            );
            CREATE TABLE queue_recipients (
              id {{id}},
              queue_id TEXT NOT NULL REFERENCES queue_messages (id) ON DELETE CASCADE,
              recipient TEXT NOT NULL,
              domain TEXT NOT NULL,
              kind TEXT NOT NULL,
              account_id {{bigint}},
              orcpt TEXT,
              notify TEXT,
              state TEXT NOT NULL,
              next_attempt {{bigint}} NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0,
              last_reply TEXT,
              updated_at {{bigint}} NOT NULL,
              UNIQUE (queue_id, recipient)
            );
            CREATE INDEX queue_recipients_due ON queue_recipients (state, next_attempt);
            CREATE TABLE queue_attempts (
              id {{id}},
              queue_id TEXT NOT NULL REFERENCES queue_messages (id) ON DELETE CASCADE,
              recipient TEXT NOT NULL,
              time {{bigint}} NOT NULL,
              result TEXT NOT NULL,
              reply TEXT NOT NULL
            );
            CREATE INDEX queue_attempts_message ON queue_attempts (queue_id);
            CREATE TABLE queue_account_holds (
              account TEXT PRIMARY KEY,
              reason TEXT NOT NULL,
              since {{bigint}} NOT NULL
            );`,
          ),
        );
      },
    },
    {
      version: 2,
      name: 'delivery status notices waiting to be sent, delay-warning marks',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE queue_notices (
              id {{id}},
              queue_id TEXT NOT NULL,
              recipient TEXT NOT NULL,
              orcpt TEXT,
              action TEXT NOT NULL,
              reply TEXT NOT NULL,
              time {{bigint}} NOT NULL
            );
            CREATE INDEX queue_notices_message ON queue_notices (queue_id);
            ALTER TABLE queue_recipients ADD COLUMN warned_at {{bigint}};`,
          ),
        );
      },
    },
    {
      version: 3,
      name: 'index of messages by arrival, for paging the queue listing',
      async up(db) {
        await db.exec('CREATE INDEX queue_messages_received ON queue_messages (received_at, id)');
      },
    },
    {
      version: 4,
      name: 'picking index: due recipients in order with their message and kind, read from the index alone',
      async up(db) {
        await db.exec(
          `CREATE INDEX queue_recipients_pick ON queue_recipients (state, next_attempt, id, queue_id, kind);
           DROP INDEX queue_recipients_due;`,
        );
      },
    },
  ],
  async populate(db) {
    const now = Date.now();
    await db.run(
      `INSERT INTO queue_messages (id, sender, blob_hash, size, trace, source, received_at) VALUES ('POPULATE1', 'a@example.test', ?, 3, 'Received: x\r\n', 'smtp', ?)`,
      ['0'.repeat(64), now],
    );
    await db.run(
      `INSERT INTO queue_recipients (queue_id, recipient, domain, kind, state, next_attempt, updated_at) VALUES ('POPULATE1', 'b@example.test', 'example.test', 'local', 'deferred', ?, ?)`,
      [now, now],
    );
    await db.run(
      `INSERT INTO queue_attempts (queue_id, recipient, time, result, reply) VALUES ('POPULATE1', 'b@example.test', ?, 'deferral', '451 4.3.0 x')`,
      [now],
    );
    await db.run(
      `INSERT INTO queue_account_holds (account, reason, since) VALUES ('c@example.test', 'populate', ?)`,
      [now],
    );
  },
};
