import type { SchemaComponent } from '../migration.js';
import { ddl, type SqlDb } from '../sql.js';

/**
 * The mailbox tables. A folder belongs to an account (`owner_id`) or, for public shared folders,
 * to the system (owner 0). Messages point at a parsed body (`mailbox_bodies`, one row per blob:
 * envelope, body structure, the header fields SORT and SEARCH use, every header decoded and
 * lower-cased in `mailbox_headers` for SEARCH) so 100 recipients of one
 * message share one blob, one parse and one full-text row; each message keeps its own prefix
 * (the per-recipient trace headers). Expunged UIDs are remembered with their modseq for
 * QRESYNC's VANISHED.
 */
export const mailboxSchema: SchemaComponent = {
  name: 'mailbox',
  migrations: [
    {
      version: 1,
      name: 'folders, messages, bodies, ACLs, metadata, subscriptions, deliveries, full-text index',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE mailbox_folders (
              id {{id}},
              owner_id {{bigint}} NOT NULL,
              name TEXT NOT NULL,
              special_use TEXT,
              uidvalidity {{bigint}} NOT NULL,
              uidnext {{bigint}} NOT NULL DEFAULT 1,
              highestmodseq {{bigint}} NOT NULL DEFAULT 1,
              message_count {{bigint}} NOT NULL DEFAULT 0,
              size_bytes {{bigint}} NOT NULL DEFAULT 0,
              quota_bytes {{bigint}},
              quota_messages {{bigint}},
              created_at {{bigint}} NOT NULL,
              UNIQUE (owner_id, name)
            );
            CREATE TABLE mailbox_bodies (
              id {{id}},
              hash TEXT NOT NULL UNIQUE,
              envelope TEXT,
              body_structure TEXT,
              from_addr TEXT NOT NULL DEFAULT '',
              to_addr TEXT NOT NULL DEFAULT '',
              cc_addr TEXT NOT NULL DEFAULT '',
              bcc_addr TEXT NOT NULL DEFAULT '',
              subject TEXT NOT NULL DEFAULT '',
              sent_date {{bigint}},
              message_id TEXT NOT NULL DEFAULT '',
              in_reply_to TEXT NOT NULL DEFAULT '',
              refs TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX mailbox_bodies_message_id ON mailbox_bodies (message_id);
            CREATE TABLE mailbox_headers (
              body_id {{bigint}} NOT NULL REFERENCES mailbox_bodies (id) ON DELETE CASCADE,
              name TEXT NOT NULL,
              value TEXT NOT NULL
            );
            CREATE INDEX mailbox_headers_body ON mailbox_headers (body_id, name);
            CREATE TABLE mailbox_messages (
              id {{id}},
              folder_id {{bigint}} NOT NULL REFERENCES mailbox_folders (id) ON DELETE CASCADE,
              uid {{bigint}} NOT NULL,
              modseq {{bigint}} NOT NULL,
              flags INTEGER NOT NULL DEFAULT 0,
              keywords TEXT NOT NULL DEFAULT '',
              body_id {{bigint}} NOT NULL REFERENCES mailbox_bodies (id),
              prefix {{blob}} NOT NULL,
              size {{bigint}} NOT NULL,
              internal_date {{bigint}} NOT NULL,
              thread_id {{bigint}} NOT NULL,
              UNIQUE (folder_id, uid)
            );
            CREATE INDEX mailbox_messages_modseq ON mailbox_messages (folder_id, modseq);
            CREATE INDEX mailbox_messages_body ON mailbox_messages (body_id);
            CREATE TABLE mailbox_expunged (
              folder_id {{bigint}} NOT NULL REFERENCES mailbox_folders (id) ON DELETE CASCADE,
              uid {{bigint}} NOT NULL,
              modseq {{bigint}} NOT NULL,
              PRIMARY KEY (folder_id, uid)
            );
            CREATE INDEX mailbox_expunged_modseq ON mailbox_expunged (folder_id, modseq);
            CREATE TABLE mailbox_acl (
              folder_id {{bigint}} NOT NULL REFERENCES mailbox_folders (id) ON DELETE CASCADE,
              identifier TEXT NOT NULL,
              rights TEXT NOT NULL,
              PRIMARY KEY (folder_id, identifier)
            );
            CREATE INDEX mailbox_acl_identifier ON mailbox_acl (identifier);
            CREATE TABLE mailbox_subscriptions (
              account_id {{bigint}} NOT NULL,
              name TEXT NOT NULL,
              PRIMARY KEY (account_id, name)
            );
            CREATE TABLE mailbox_metadata (
              folder_id {{bigint}} NOT NULL,
              account_id {{bigint}} NOT NULL,
              entry TEXT NOT NULL,
              value TEXT NOT NULL,
              PRIMARY KEY (folder_id, account_id, entry)
            );
            CREATE TABLE mailbox_deliveries (
              dedupe_key TEXT PRIMARY KEY,
              account_id {{bigint}} NOT NULL,
              folder TEXT NOT NULL,
              uid {{bigint}} NOT NULL,
              message_id {{bigint}} NOT NULL,
              created_at {{bigint}} NOT NULL
            );
            CREATE TABLE mailbox_counters (
              name TEXT PRIMARY KEY,
              value {{bigint}} NOT NULL
            );
            INSERT INTO mailbox_counters (name, value) VALUES ('uidvalidity', 0);`,
          ),
        );
        await createFullTextIndex(db);
      },
    },
    {
      // IMAP4rev1's \Recent: a message is recent for the one session first told of it. Uids from
      // first_recent_uid up were told to no session yet. Messages already in a folder when the
      // column arrives count as told, so the upgrade does not make a whole mailbox recent.
      version: 2,
      name: 'first uid not yet reported as \\Recent, per folder',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `ALTER TABLE mailbox_folders ADD COLUMN first_recent_uid {{bigint}} NOT NULL DEFAULT 1;
            UPDATE mailbox_folders SET first_recent_uid = uidnext;`,
          ),
        );
      },
    },
    {
      // The ENVELOPE as IMAP sends it, encoded at delivery by the wire layer (opaque here), so a
      // FETCH of envelopes after a restart neither parses JSON nor encodes. Bodies stored before
      // have NULL, are served from the JSON column as before, and get it from reconstruct.
      version: 3,
      name: 'encoded IMAP ENVELOPE per body',
      async up(db) {
        await db.exec(ddl(db, 'ALTER TABLE mailbox_bodies ADD COLUMN envelope_wire {{blob}}'));
      },
    },
    {
      // SQLite: the full-text index leaves the store for a file of its own, written by a worker
      // thread in batches (FullTextIndex); inside the delivery transaction it cost the main
      // thread a tokenizing insert and a new FTS5 segment per commit. The queue lists the bodies
      // the index may lack; every body is in it now, and the new file is filled from the blobs
      // in the background at the next start. PostgreSQL keeps its tsvector columns.
      version: 4,
      name: 'SQLite full-text index in its own file: queue of bodies to index',
      async up(db) {
        if (db.dialect !== 'sqlite') return;
        await db.exec(
          `DROP TABLE IF EXISTS main.mailbox_fts;
          CREATE TABLE mailbox_fts_queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, body_id INTEGER NOT NULL);
          INSERT INTO mailbox_fts_queue (body_id) SELECT id FROM mailbox_bodies ORDER BY id;`,
        );
      },
    },
  ],
  /** Rows valid at every version, for the upgrade test: a folder with one message. */
  async populate(db, version) {
    if (version < 1) return;
    await db.run(
      `INSERT INTO mailbox_folders (owner_id, name, uidvalidity, uidnext, highestmodseq, message_count, size_bytes, created_at)
       VALUES (1, 'INBOX', 7, 2, 2, 1, 3, 0)`,
    );
    await db.run(`INSERT INTO mailbox_bodies (hash, subject) VALUES ('${'0'.repeat(64)}', 'populate')`);
    await db.run(
      `INSERT INTO mailbox_messages (folder_id, uid, modseq, body_id, prefix, size, internal_date, thread_id)
       SELECT f.id, 1, 2, b.id, ?, 3, 0, b.id FROM mailbox_folders f, mailbox_bodies b WHERE f.name = 'INBOX' AND f.uidvalidity = 7`,
      [Buffer.alloc(0)],
    );
    if (version >= 4 && db.dialect === 'sqlite')
      await db.run(
        `INSERT INTO mailbox_fts_queue (body_id) SELECT id FROM mailbox_bodies WHERE hash = '${'0'.repeat(64)}'`,
      );
  },
};

/**
 * SQLite: a contentless FTS5 table keyed by body id (moved to a file of its own by version 4).
 * PostgreSQL: tsvectors with GIN indexes.
 */
async function createFullTextIndex(db: SqlDb): Promise<void> {
  if (db.dialect === 'sqlite') {
    await db.exec(
      `CREATE VIRTUAL TABLE mailbox_fts USING fts5(headers, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
    );
  } else {
    await db.exec(
      `CREATE TABLE mailbox_fts (
        body_id BIGINT PRIMARY KEY REFERENCES mailbox_bodies (id) ON DELETE CASCADE,
        headers tsvector NOT NULL,
        body tsvector NOT NULL
      );
      CREATE INDEX mailbox_fts_headers ON mailbox_fts USING GIN (headers);
      CREATE INDEX mailbox_fts_body ON mailbox_fts USING GIN (body);`,
    );
  }
}
