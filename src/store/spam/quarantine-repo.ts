import { addBlobRefs, releaseBlobRefs } from '../blobs/blob-refs.js';
import type { BlobRef } from '../blobs/blob-store.js';
import type { SqlDb } from '../sql.js';

export interface QuarantineEntry {
  id: string;
  virus: string;
  sender: string;
  recipients: string[];
  clientIp: string | null;
  blobHash: string;
  size: number;
  createdAt: number;
}

/** Infected messages kept for the administrator; each holds a reference to its blob. */
export class QuarantineRepo {
  constructor(private readonly db: SqlDb) {}

  async add(e: Omit<QuarantineEntry, 'blobHash' | 'size'>, blob: BlobRef): Promise<void> {
    await this.db.tx(async (t) => {
      await t.run(
        'INSERT INTO virus_quarantine (id, virus, sender, recipients, client_ip, blob_hash, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          e.id,
          e.virus,
          e.sender,
          JSON.stringify(e.recipients),
          e.clientIp,
          blob.hash,
          blob.size,
          e.createdAt,
        ],
      );
      await addBlobRefs(t, blob);
    });
  }

  async list(limit = 100): Promise<QuarantineEntry[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM virus_quarantine ORDER BY created_at DESC LIMIT ?',
      [limit],
    );
    return rows.map(toEntry);
  }

  async get(id: string): Promise<QuarantineEntry | undefined> {
    const r = await this.db.get<Record<string, unknown>>('SELECT * FROM virus_quarantine WHERE id = ?', [id]);
    return r && toEntry(r);
  }

  async remove(id: string): Promise<boolean> {
    return this.db.tx(async (t) => {
      const r = await t.get<{ blob_hash: string }>('SELECT blob_hash FROM virus_quarantine WHERE id = ?', [
        id,
      ]);
      if (!r) return false;
      await t.run('DELETE FROM virus_quarantine WHERE id = ?', [id]);
      await releaseBlobRefs(t, r.blob_hash);
      return true;
    });
  }
}

function toEntry(r: Record<string, unknown>): QuarantineEntry {
  return {
    id: String(r.id),
    virus: String(r.virus),
    sender: String(r.sender),
    recipients: JSON.parse(String(r.recipients)) as string[],
    clientIp: r.client_ip === null ? null : String(r.client_ip),
    blobHash: String(r.blob_hash),
    size: Number(r.size),
    createdAt: Number(r.created_at),
  };
}
