import { Config } from '../config/config.js';
import { OperatorError } from '../core/errors.js';
import { formatSize, parseDuration } from '../core/size.js';
import { collectGarbage, type GcProgress } from '../store/blobs/blob-refs.js';
import { schemaComponents } from '../store/components.js';
import { pendingMigrations } from '../store/migrate.js';
import { openBlobStore, openDatabase } from '../store/store.js';
import { storeInfo } from '../store/store-info.js';
import { type CommandGroup, parseOptions, printRecord } from './command.js';

const PROGRESS_EVERY = 10_000;

export const storeCommand: CommandGroup = {
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'info' && sub !== 'gc')
      throw new OperatorError(`unknown subcommand "${sub ?? ''}"; use info or gc`);
    const { values } = parseOptions(rest, { grace: { type: 'string' } }, false);
    const config = Config.open(ctx.dataDir);
    // Opened without upgrading: info shows the versions as they are, gc refuses an old schema.
    const db = await openDatabase({ url: config.get<string>('store.url'), dataDir: config.dataDir });
    try {
      const blobs = openBlobStore(config, db);
      if (sub === 'info') {
        const info = await storeInfo(db, schemaComponents, {
          backend: config.get<'fs' | 'postgres'>('store.blobs'),
          volumes: blobs.volumes,
        });
        if (ctx.json) {
          ctx.out(JSON.stringify(info, null, 2));
          return;
        }
        printRecord(ctx, {
          backend: info.backend,
          'blob backend': info.blobBackend,
          volumes: info.volumes.map((v) => v || '(default)'),
          'database size': formatSize(info.dbBytes),
          blobs: `${info.blobs.count} (${formatSize(info.blobs.bytes)}), ${info.blobs.unreferenced} awaiting gc`,
          schema: info.components.map(
            (c) =>
              `${c.name} ${c.version}${c.version === c.latest ? '' : ` (this version expects ${c.latest})`}`,
          ),
        });
        return;
      }
      const graceMs = values.grace === undefined ? undefined : parseDuration(values.grace);
      if (values.grace !== undefined && graceMs === undefined)
        throw new OperatorError(`--grace: "${values.grace}" is not a duration (e.g. 30m, 1h)`);
      if ((await pendingMigrations(db, schemaComponents)).some((p) => p.component === 'blobs')) {
        throw new OperatorError(
          'the store schema is older than this Mailstead; run `mailstead upgrade` first',
        );
      }
      let shown = '';
      const onProgress = (p: GcProgress) => {
        if (ctx.json || (p.phase === shown && p.done % PROGRESS_EVERY !== 0)) return;
        shown = p.phase;
        ctx.out(`  ${p.phase}: ${p.done} checked`);
      };
      const r = await collectGarbage(db, blobs, {
        ...(graceMs === undefined ? {} : { graceMs }),
        onProgress,
      });
      if (ctx.json) ctx.out(JSON.stringify(r));
      else
        ctx.out(
          `released ${r.released} references (${formatSize(r.releasedBytes)}), removed ${r.removed} blobs and ${r.temp} interrupted writes`,
        );
    } finally {
      await db.close();
    }
  },
};
