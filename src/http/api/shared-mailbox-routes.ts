import type { ApiContext } from './context.js';
import { route } from './route.js';
import { accountSchema, arrayOf, bool, input } from './schemas.js';
import { createSharedMailbox, type SharedMailboxInput } from './shared-mailbox.js';

export function sharedMailboxRoutes({ app }: ApiContext) {
  return [
    route<SharedMailboxInput>({
      method: 'POST',
      url: '/shared-mailboxes',
      tag: 'shared mailboxes',
      summary:
        'Create a shared mailbox and grant users and groups read / write / send-as / send-on-behalf in one call',
      body: input(
        {
          address: { type: 'string', minLength: 3, maxLength: 320 },
          displayName: { type: 'string', maxLength: 200 },
          grants: arrayOf(
            input(
              {
                grantee: { type: 'string', minLength: 1 },
                read: bool,
                write: bool,
                sendAs: bool,
                sendOnBehalf: bool,
              },
              ['grantee', 'read', 'write', 'sendAs', 'sendOnBehalf'],
            ),
          ),
        },
        ['address', 'grants'],
      ),
      response: accountSchema,
      handler: ({ actor, body }) => createSharedMailbox(app, body, actor),
    }),
  ];
}
