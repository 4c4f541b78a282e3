import { parseAddress } from '../core/address.js';
import { NotFoundError, OperatorError } from '../core/errors.js';
import * as repo from '../store/directory/contact-repo.js';
import type { SqlDb } from '../store/sql.js';
import { authorize, can } from './authorization.js';
import type { Domains } from './domains.js';
import type { Groups } from './groups.js';
import { managedGroups } from './scope.js';
import type { Actor } from './types.js';
import { SYSTEM } from './types.js';

export interface Contact {
  id: number;
  domain: string;
  group: string | null;
  name: string;
  email: string;
  phone: string;
  company: string;
  title: string;
  createdAt: number;
}

export interface ContactInput {
  domain: string;
  group?: string | null;
  name: string;
  email: string;
  phone?: string;
  company?: string;
  title?: string;
}

export type ContactUpdate = Partial<Omit<ContactInput, 'domain'>>;

const MAX_FIELD = 256;

function field(value: string | undefined, what: string): string {
  const v = (value ?? '').trim();
  if (v.length > MAX_FIELD) throw new OperatorError(`${what} is longer than ${MAX_FIELD} characters`);
  if (/[\r\n\0]/.test(v)) throw new OperatorError(`${what} must be one line`);
  return v;
}

/**
 * The domain-wide address book (SCOoffice's contacts): people outside the organisation that every
 * account of a domain sees. Contacts may be filed in a group so that its group admins manage them.
 */
export class Contacts {
  constructor(
    private readonly db: SqlDb,
    private readonly domains: Domains,
    private readonly groups: Groups,
  ) {}

  private async view(r: repo.ContactRow): Promise<Contact> {
    const group =
      r.groupId === null ? null : ((await this.groups.list()).find((g) => g.id === r.groupId)?.name ?? null);
    return {
      id: r.id,
      domain: r.domain,
      group,
      name: r.name,
      email: r.email,
      phone: r.phone,
      company: r.company,
      title: r.title,
      createdAt: r.createdAt,
    };
  }

  private async fields(input: ContactUpdate, current?: repo.ContactRow): Promise<repo.ContactFields> {
    const name = input.name === undefined ? (current?.name ?? '') : field(input.name, 'name');
    if (!name) throw new OperatorError('a contact needs a name');
    const email = input.email === undefined ? (current?.email ?? '') : field(input.email, 'email');
    if (!parseAddress(email)) throw new OperatorError(`"${email}" is not an email address`);
    const groupId =
      input.group === undefined
        ? (current?.groupId ?? null)
        : input.group === null || input.group === ''
          ? null
          : (await this.groups.require(input.group)).id;
    return {
      name,
      email,
      groupId,
      phone: input.phone === undefined ? (current?.phone ?? '') : field(input.phone, 'phone'),
      company: input.company === undefined ? (current?.company ?? '') : field(input.company, 'company'),
      title: input.title === undefined ? (current?.title ?? '') : field(input.title, 'title'),
    };
  }

  private async require(id: number): Promise<repo.ContactRow> {
    const r = await repo.findContact(this.db, id);
    if (!r) throw new NotFoundError(`contact ${id}`);
    return r;
  }

  async add(input: ContactInput, actor: Actor = SYSTEM): Promise<Contact> {
    const domain = await this.domains.requireReal(input.domain);
    const f = await this.fields(input);
    authorize(
      can.manageContact(
        actor,
        { domain: domain.name, groupId: f.groupId },
        await managedGroups(this.db, actor),
      ),
      actor,
      `add contacts to ${domain.name}`,
    );
    return this.view(
      (await repo.findContact(this.db, await repo.insertContact(this.db, domain.id, f, Date.now())))!,
    );
  }

  async list(filter: { domain?: string; group?: string } = {}, actor: Actor = SYSTEM): Promise<Contact[]> {
    const domainId = filter.domain ? (await this.domains.requireReal(filter.domain)).id : null;
    const groupId = filter.group ? (await this.groups.require(filter.group)).id : undefined;
    const managed = await managedGroups(this.db, actor);
    const rows = (await repo.listContacts(this.db, domainId)).filter(
      (r) => (groupId === undefined || r.groupId === groupId) && can.viewContact(actor, r, managed),
    );
    return Promise.all(rows.map((r) => this.view(r)));
  }

  async get(id: number, actor: Actor = SYSTEM): Promise<Contact> {
    const r = await this.require(id);
    authorize(can.viewContact(actor, r, await managedGroups(this.db, actor)), actor, `see contact ${id}`);
    return this.view(r);
  }

  async update(id: number, update: ContactUpdate, actor: Actor = SYSTEM): Promise<Contact> {
    const r = await this.require(id);
    const managed = await managedGroups(this.db, actor);
    const f = await this.fields(update, r);
    // Both where it is and where it would go: a group admin cannot move a contact out of reach.
    authorize(
      can.manageContact(actor, r, managed) &&
        can.manageContact(actor, { domain: r.domain, groupId: f.groupId }, managed),
      actor,
      `change contact ${id}`,
    );
    await repo.updateContact(this.db, id, f);
    return this.view(await this.require(id));
  }

  async remove(id: number, actor: Actor = SYSTEM): Promise<void> {
    const r = await this.require(id);
    authorize(
      can.manageContact(actor, r, await managedGroups(this.db, actor)),
      actor,
      `remove contact ${id}`,
    );
    await repo.deleteContact(this.db, id);
  }
}
