import type { SqlDb } from '../sql.js';

export interface ContactRow {
  id: number;
  domainId: number;
  domain: string;
  groupId: number | null;
  name: string;
  email: string;
  phone: string;
  company: string;
  title: string;
  createdAt: number;
}

export type ContactFields = Pick<ContactRow, 'groupId' | 'name' | 'email' | 'phone' | 'company' | 'title'>;

const SELECT = `SELECT c.id, c.domain_id AS "domainId", d.name AS domain, c.group_id AS "groupId", c.name, c.email, c.phone, c.company, c.title, c.created_at AS "createdAt"
  FROM directory_contacts c JOIN domains d ON d.id = c.domain_id`;

function row(r: Record<string, unknown>): ContactRow {
  return {
    ...(r as unknown as ContactRow),
    id: Number(r.id),
    domainId: Number(r.domainId),
    groupId: r.groupId === null || r.groupId === undefined ? null : Number(r.groupId),
    createdAt: Number(r.createdAt),
  };
}

export async function insertContact(
  db: SqlDb,
  domainId: number,
  f: ContactFields,
  now: number,
): Promise<number> {
  const r = await db.get<{ id: number }>(
    'INSERT INTO directory_contacts (domain_id, group_id, name, email, phone, company, title, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [domainId, f.groupId, f.name, f.email, f.phone, f.company, f.title, now],
  );
  return Number(r!.id);
}

export async function findContact(db: SqlDb, id: number): Promise<ContactRow | undefined> {
  const r = await db.get(`${SELECT} WHERE c.id = ?`, [id]);
  return r ? row(r) : undefined;
}

export async function listContacts(db: SqlDb, domainId: number | null): Promise<ContactRow[]> {
  const rows =
    domainId === null
      ? await db.all(`${SELECT} ORDER BY d.name, c.name, c.id`)
      : await db.all(`${SELECT} WHERE c.domain_id = ? ORDER BY c.name, c.id`, [domainId]);
  return rows.map(row);
}

export async function updateContact(db: SqlDb, id: number, f: ContactFields): Promise<void> {
  await db.run(
    'UPDATE directory_contacts SET group_id = ?, name = ?, email = ?, phone = ?, company = ?, title = ? WHERE id = ?',
    [f.groupId, f.name, f.email, f.phone, f.company, f.title, id],
  );
}

export async function deleteContact(db: SqlDb, id: number): Promise<void> {
  await db.run('DELETE FROM directory_contacts WHERE id = ?', [id]);
}
