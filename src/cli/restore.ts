import { runRestore } from '../ops/backup/restore.js';
import { type CommandGroup, parseOptions, requireArg } from './command.js';
import { progressPrinter } from './progress.js';

export const restoreCommand: CommandGroup = {
  name: 'restore',
  summary: 'restore a backup into a new data directory, checksums verified',
  usage: [
    'restore SRC --data DIR [--store-url URL] [--force]',
    '  SRC is a backup destination (its newest backup) or one backup directory in it',
    '  --store-url  put the store elsewhere, e.g. a PostgreSQL URL (default: as backed up; SQLite inside DIR)',
    '  --force      replace a non-empty DIR, and the rows of a non-empty database',
  ],
  async run(args, ctx) {
    const { positionals, values } = parseOptions(args, {
      'store-url': { type: 'string' },
      force: { type: 'boolean' },
    });
    const src = requireArg(positionals[0], 'SRC (a backup destination or backup directory)');
    const r = await runRestore(src, ctx.dataDir, {
      force: values.force ?? false,
      ...(values['store-url'] ? { storeUrl: values['store-url'] } : {}),
      progress: progressPrinter(ctx),
    });
    if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
    else
      ctx.out(
        `restored ${r.backup} into ${ctx.dataDir}: ${r.rows} rows in ${r.tables} tables, ${r.blobs} message bodies, ${r.reindexedFolders} folders reindexed`,
      );
  },
};
