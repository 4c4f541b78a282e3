import { blobsSchema } from './blobs/blob-refs.js';
import type { SchemaComponent } from './migration.js';

/** Every component's schema, in the order they are migrated (dependencies first). */
export const schemaComponents: readonly SchemaComponent[] = [blobsSchema];
