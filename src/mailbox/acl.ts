import { aclOf, putAcl } from '../store/mailbox/acl-repo.js';
import { resolveFolder } from './access.js';
import { writeTx, type MailboxContext } from './context.js';
import { folderChanged } from './events.js';
import { applyRightsChange, listRights, normalizeIdentifier } from './rights.js';
import type { AclEntry, FolderRef, MailboxActor } from './types.js';

/** RFC 4314 ACL commands. The owner's rights are implicit and cannot be taken away. */
export class AclService {
  constructor(private readonly ctx: MailboxContext) {}

  async get(actor: MailboxActor, ref: FolderRef): Promise<AclEntry[]> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'a');
    return aclOf(this.ctx.db, f.row.id);
  }

  /** SETACL with `rights`, `+rights` or `-rights`; returns the identifier's new rights. */
  async set(actor: MailboxActor, ref: FolderRef, identifier: string, change: string): Promise<string> {
    const id = normalizeIdentifier(identifier);
    return writeTx(this.ctx, async (t, publish) => {
      const f = await resolveFolder(t, actor, ref, 'a');
      const current = (await aclOf(t, f.row.id)).find((e) => e.identifier === id)?.rights ?? '';
      const next = applyRightsChange(current, change);
      await putAcl(t, f.row.id, id, next);
      // Sessions with the folder selected check their rights again.
      publish(folderChanged(f.row));
      return next;
    });
  }

  async delete(actor: MailboxActor, ref: FolderRef, identifier: string): Promise<void> {
    await writeTx(this.ctx, async (t, publish) => {
      const f = await resolveFolder(t, actor, ref, 'a');
      await putAcl(t, f.row.id, normalizeIdentifier(identifier), '');
      publish(folderChanged(f.row));
    });
  }

  /** MYRIGHTS: any right at all on the folder is enough to ask. */
  async myRights(actor: MailboxActor, ref: FolderRef): Promise<string> {
    return (await resolveFolder(this.ctx.db, actor, ref, '')).rights;
  }

  async listRights(
    actor: MailboxActor,
    ref: FolderRef,
    identifier: string,
  ): Promise<{ required: string; optional: string[] }> {
    const f = await resolveFolder(this.ctx.db, actor, ref, 'a');
    const id = normalizeIdentifier(identifier);
    const ownerAddress = (
      await this.ctx.db.get<{ address: string }>('SELECT address FROM accounts WHERE id = ?', [f.row.ownerId])
    )?.address;
    return listRights(id === ownerAddress);
  }
}
