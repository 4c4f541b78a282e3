import { directorySchema } from './directory/schema.js';
import { mailboxSchema } from './mailbox/schema.js';
import { blobsSchema } from './blobs/blobs-schema.js';
import type { SchemaComponent } from './migration.js';
import { queueSchema } from './queue/queue-schema.js';
import { dkimSchema } from './dkim/dkim-repo.js';
import { sieveSchema } from './sieve/schema.js';
import { spamSchema } from './spam/schema.js';
import { httpSchema } from './http/schema.js';
import { remoteSchema } from './remote/mta-sts-repo.js';

/** Every component's schema, in the order they are migrated (dependencies first). */
export const schemaComponents: readonly SchemaComponent[] = [
  directorySchema,
  mailboxSchema,
  blobsSchema,
  queueSchema,
  dkimSchema,
  sieveSchema,
  httpSchema,
  spamSchema,
  remoteSchema,
];
