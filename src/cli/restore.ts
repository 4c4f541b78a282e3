import { runRestore } from '../ops/backup/restore.js';
import { type CommandGroup, parseOptions, requireArg } from './command.js';
import { progressPrinter } from './progress.js';

export const restoreCommand: CommandGroup = {
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
