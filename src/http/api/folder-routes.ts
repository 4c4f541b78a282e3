import { FOLDER_TYPES, type FolderType } from '../../mailbox/types.js';
import { mailboxActorFor, requireServerAdmin } from './access.js';
import { ACL_COLUMN_NAMES, ACL_COLUMNS, aclMatrix, setAclMatrix } from './acl-matrix.js';
import type { ApiContext } from './context.js';
import { route } from './route.js';
import { arrayOf, input, int, nullable, object, quotaSchema, str, strings } from './schemas.js';

const folderParams = object({ address: str, id: { type: 'string', pattern: '^[0-9]+$' } });
const folderType = { type: 'string', enum: [...FOLDER_TYPES] };
const folderSchema = object({
  id: int,
  name: str,
  namespace: str,
  type: folderType,
  specialUse: nullable(str),
  rights: str,
  messages: int,
  unseen: int,
  size: int,
});
const aclRow = object({ identifier: str, rights: str, columns: strings });
const aclSchema = object({ columns: arrayOf(object({ name: str, rights: str })), entries: arrayOf(aclRow) });
const column = { type: 'string', enum: ACL_COLUMN_NAMES };

/**
 * An account's folders (`-` for the public Shared/ tree). The caller works as the folder owner
 * once it is established that they are the account or administer it; folder ids are then
 * resolved with the owner's rights, so ids of other accounts' folders answer 404.
 */
export function folderRoutes({ app }: ApiContext) {
  const m = app.mailbox;
  const ref = (id: string | undefined) => ({ id: Number(id) });
  return [
    route({
      method: 'GET',
      url: '/accounts/:address/folders',
      tag: 'folders',
      summary: 'Folders with type, rights and counts',
      params: object({ address: str }),
      response: arrayOf(folderSchema),
      async handler({ actor, params }) {
        const who = await mailboxActorFor(app, actor, params.address!);
        const out = [];
        for (const f of await m.folders.list(who)) {
          const st = await m.folders.status(who, { id: f.id });
          out.push({
            id: f.id,
            name: f.name,
            namespace: f.namespace,
            type: f.type,
            specialUse: f.specialUse,
            rights: f.rights,
            messages: st.messages,
            unseen: st.unseen,
            size: st.size,
          });
        }
        return out;
      },
    }),
    route<{ name: string; type?: FolderType }>({
      method: 'POST',
      url: '/accounts/:address/folders',
      tag: 'folders',
      summary: 'Create a folder of a type (mail, calendar, contacts, journal, notes, tasks)',
      params: object({ address: str }),
      body: input({ name: { type: 'string', minLength: 1, maxLength: 500 }, type: folderType }, ['name']),
      response: object({ id: int, name: str }),
      async handler({ actor, params, body }) {
        const f = await m.folders.create(await mailboxActorFor(app, actor, params.address!), body.name, {
          type: body.type ?? 'mail',
        });
        return { id: f.id, name: f.name };
      },
    }),
    route<{ name: string }>({
      method: 'PATCH',
      url: '/accounts/:address/folders/:id',
      tag: 'folders',
      summary: 'Rename a folder (with its subfolders)',
      params: folderParams,
      body: input({ name: { type: 'string', minLength: 1, maxLength: 500 } }, ['name']),
      async handler({ actor, params, body }) {
        await m.folders.rename(await mailboxActorFor(app, actor, params.address!), ref(params.id), body.name);
      },
    }),
    route({
      method: 'DELETE',
      url: '/accounts/:address/folders/:id',
      tag: 'folders',
      summary: 'Delete a folder and its messages',
      params: folderParams,
      async handler({ actor, params }) {
        await m.folders.delete(await mailboxActorFor(app, actor, params.address!), ref(params.id));
      },
    }),
    route({
      method: 'GET',
      url: '/accounts/:address/folders/:id/acl',
      tag: 'folders',
      summary: 'The ACL matrix: rows are users and groups ($name), columns the rights',
      params: folderParams,
      response: aclSchema,
      async handler({ actor, params }) {
        return {
          columns: ACL_COLUMNS,
          entries: await aclMatrix(m, await mailboxActorFor(app, actor, params.address!), ref(params.id)),
        };
      },
    }),
    route<{ entries: { identifier: string; columns: string[] }[] }>({
      method: 'PUT',
      url: '/accounts/:address/folders/:id/acl',
      tag: 'folders',
      summary: 'Replace the ACL matrix (rows left out lose their rights)',
      params: folderParams,
      body: input(
        {
          entries: arrayOf(
            input(
              {
                identifier: { type: 'string', minLength: 1, maxLength: 320 },
                columns: { type: 'array', items: column },
              },
              ['identifier', 'columns'],
            ),
          ),
        },
        ['entries'],
      ),
      response: aclSchema,
      async handler({ actor, params, body }) {
        return {
          columns: ACL_COLUMNS,
          entries: await setAclMatrix(
            m,
            await mailboxActorFor(app, actor, params.address!),
            ref(params.id),
            body.entries,
          ),
        };
      },
    }),
    route({
      method: 'GET',
      url: '/accounts/:address/folders/:id/quota',
      tag: 'folders',
      summary: "The quotas that apply to a folder: the account's and the folder's own",
      params: folderParams,
      response: arrayOf(
        object({
          root: str,
          usedBytes: int,
          maxBytes: nullable(int),
          usedMessages: int,
          maxMessages: nullable(int),
        }),
      ),
      async handler({ actor, params }) {
        return m.quota.roots(await mailboxActorFor(app, actor, params.address!), ref(params.id));
      },
    }),
    route<{ bytes: number | null; messages: number | null }>({
      method: 'PUT',
      url: '/accounts/:address/folders/:id/quota',
      tag: 'folders',
      summary: "Set a folder's own quota (null for none)",
      params: folderParams,
      body: input(
        {
          bytes: nullable({ type: 'integer', minimum: 0 }),
          messages: nullable({ type: 'integer', minimum: 0 }),
        },
        ['bytes', 'messages'],
      ),
      async handler({ actor, params, body }) {
        await m.quota.set(
          await mailboxActorFor(app, actor, params.address!),
          { folder: ref(params.id) },
          body,
        );
      },
    }),
    route({
      method: 'POST',
      url: '/accounts/:address/reconstruct',
      tag: 'folders',
      summary: "Repair an account's folders: counts, UIDs, missing message files, search index",
      params: object({ address: str }),
      response: arrayOf(
        object({
          folder: str,
          messages: int,
          bytes: int,
          fixed: strings,
          missingBlobs: arrayOf(int),
          reindexed: int,
        }),
      ),
      async handler({ actor, params }) {
        requireServerAdmin(actor, 'reconstruct mailboxes');
        const who = await mailboxActorFor(app, actor, params.address!);
        return m.reconstruct(who.accountId);
      },
    }),
    route({
      method: 'GET',
      url: '/accounts/:address/quota',
      tag: 'folders',
      summary: "The account's mailbox usage against its quota",
      params: object({ address: str }),
      response: quotaSchema,
      async handler({ actor, params }) {
        const who = await mailboxActorFor(app, actor, params.address!);
        return m.quotaStatus(who.accountId);
      },
    }),
  ];
}
