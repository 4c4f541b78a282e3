import { defineKey } from '../config/schema.js';
import { listType, type ValueType } from '../config/types.js';

const VOLUME = /^([A-Za-z0-9_-]+)=(.+)$/;

/** `NAME=PATH`: a named blob volume. */
const blobVolumeType: ValueType<string> = {
  name: 'NAME=PATH',
  parse: (t) =>
    VOLUME.test(t.trim())
      ? t.trim()
      : { error: `"${t}" is not NAME=PATH (NAME of letters, digits, - and _)` },
  fromFile: (raw) => (typeof raw === 'string' ? blobVolumeType.parse(raw) : { error: 'expected NAME=PATH' }),
  toFile: (v) => v,
  format: (v) => v,
};

/** `['archive=/mnt/big/blobs']` → `{ archive: '/mnt/big/blobs' }`. */
export function parseBlobVolumes(entries: readonly string[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => VOLUME.exec(e)!.slice(1, 3) as [string, string]));
}

/** Store settings beyond the basic ones in keys/server.ts; listed in config/registry.ts. */
export const storeKeys = [
  defineKey({
    key: 'store.blob_volumes',
    type: listType(blobVolumeType),
    default: [],
    description:
      'Named blob volumes, each NAME=PATH (relative to the data dir unless absolute). An account whose blob volume is NAME keeps its message bodies there, on the filesystem, whatever store.blobs says.',
    reload: 'restart',
  }),
];
