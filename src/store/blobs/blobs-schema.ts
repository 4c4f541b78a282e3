import type { SchemaComponent } from '../migration.js';
import { ddl } from '../sql.js';

export const blobsSchema: SchemaComponent = {
  name: 'blobs',
  migrations: [
    {
      version: 1,
      name: 'blob reference counts',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE blobs (
              hash TEXT PRIMARY KEY,
              size {{bigint}} NOT NULL,
              refs INTEGER NOT NULL,
              volume TEXT NOT NULL DEFAULT '',
              created_at {{bigint}} NOT NULL
            );
            CREATE INDEX blobs_unreferenced ON blobs (refs) WHERE refs <= 0;`,
          ),
        );
      },
    },
    {
      // The same body delivered to accounts on different volumes is one file per volume, each
      // with its own count; keyed by hash alone, one copy leaked or was collected while in use.
      version: 2,
      name: 'reference counts per volume',
      async up(db) {
        await db.exec(
          ddl(
            db,
            `CREATE TABLE blobs_by_volume (
              hash TEXT NOT NULL,
              volume TEXT NOT NULL DEFAULT '',
              size {{bigint}} NOT NULL,
              refs INTEGER NOT NULL,
              created_at {{bigint}} NOT NULL,
              PRIMARY KEY (hash, volume)
            );
            INSERT INTO blobs_by_volume (hash, volume, size, refs, created_at) SELECT hash, volume, size, refs, created_at FROM blobs;
            DROP TABLE blobs;
            ALTER TABLE blobs_by_volume RENAME TO blobs;
            CREATE INDEX blobs_unreferenced ON blobs (refs) WHERE refs <= 0;`,
          ),
        );
      },
    },
    {
      version: 3,
      name: 'blob contents in the database (store.blobs = postgres)',
      async up(db) {
        // hash stays NULL while a put is still writing chunks, so a half-written blob is never found.
        await db.exec(
          ddl(
            db,
            `CREATE TABLE blob_contents (
              id {{id}},
              hash TEXT UNIQUE,
              size {{bigint}} NOT NULL,
              chunk_size INTEGER NOT NULL,
              created_at {{bigint}} NOT NULL
            );
            CREATE TABLE blob_chunks (
              content_id {{bigint}} NOT NULL REFERENCES blob_contents (id) ON DELETE CASCADE,
              seq INTEGER NOT NULL,
              data {{blob}} NOT NULL,
              PRIMARY KEY (content_id, seq)
            );`,
          ),
        );
      },
    },
  ],
  async populate(db, version) {
    const now = Date.now();
    const rows: [string, number, number, string][] = [
      ['a'.repeat(64), 100, 2, ''],
      ['b'.repeat(64), 200, 0, ''],
      ['c'.repeat(64), 300, 1, 'archive'],
    ];
    for (const [hash, size, refs, volume] of rows) {
      await db.run('INSERT INTO blobs (hash, size, refs, volume, created_at) VALUES (?, ?, ?, ?, ?)', [
        hash,
        size,
        refs,
        volume,
        now,
      ]);
    }
    if (version >= 3) {
      await db.run('INSERT INTO blob_contents (hash, size, chunk_size, created_at) VALUES (?, ?, ?, ?)', [
        'a'.repeat(64),
        3,
        262_144,
        now,
      ]);
      const c = await db.get<{ id: number }>('SELECT id FROM blob_contents WHERE hash = ?', ['a'.repeat(64)]);
      await db.run('INSERT INTO blob_chunks (content_id, seq, data) VALUES (?, ?, ?)', [
        c!.id,
        0,
        Buffer.from('abc'),
      ]);
    }
  },
};
