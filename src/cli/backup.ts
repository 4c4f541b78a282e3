import { Config } from '../config/config.js';
import { runBackup } from '../ops/backup/backup.js';
import { outsidePaths } from '../ops/backup/data-files.js';
import { pruneBackups } from '../ops/backup/prune.js';
import { OperatorError } from '../core/errors.js';
import { openBlobStore, openDatabase } from '../store/store.js';
import { type CliContext, type CommandGroup, parseOptions, requireArg } from './command.js';
import { humanSize, progressPrinter } from './progress.js';

export const backupCommand: CommandGroup = {
  async run(args, ctx) {
    if (args[0] === 'prune') return prune(args.slice(1), ctx);
    const { positionals } = parseOptions(args, {});
    const dest = requireArg(positionals[0], 'DEST (the backup directory)');
    const config = Config.open(ctx.dataDir);
    // Opened without upgrading: a backup records the schema as it is.
    const db = await openDatabase({ url: config.get<string>('store.url'), dataDir: config.dataDir });
    try {
      for (const p of outsidePaths(config))
        ctx.err(`warning: ${p} is outside the data dir and not in the backup; keep a copy yourself`);
      const m = await runBackup({ config, db, blobs: openBlobStore(config, db) }, dest, progressPrinter(ctx));
      const bytes = m.blobs.reduce((n, b) => n + b.size, 0);
      const summary = {
        backup: m.dir,
        backend: m.backend,
        tables: m.tables.length,
        rows: m.tables.reduce((n, t) => n + t.rows, 0),
        blobs: m.blobs.length,
        newBlobs: m.newBlobs,
        blobBytes: bytes,
        files: m.files.length,
        missingBlobs: m.missingBlobs.map((b) => b.hash),
      };
      if (ctx.json) ctx.out(JSON.stringify(summary, null, 2));
      else {
        ctx.out(
          `backup ${m.dir}: ${summary.rows} rows in ${summary.tables} tables, ${m.blobs.length} message bodies (${humanSize(bytes)}, ${m.newBlobs} new), ${m.files.length} files`,
        );
        if (m.missingBlobs.length)
          ctx.err(
            `warning: ${m.missingBlobs.length} referenced bodies were not in the blob store: ${summary.missingBlobs.join(', ')}`,
          );
      }
      return m.missingBlobs.length ? 1 : 0;
    } finally {
      await db.close();
    }
  },
};

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new OperatorError(`${flag} needs a number, not "${value}"`);
  return n;
}

async function prune(args: string[], ctx: CliContext): Promise<number> {
  const { positionals, values } = parseOptions(args, {
    keep: { type: 'string' },
    'keep-days': { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const dest = requireArg(positionals[0], 'DEST (the backup directory)');
  const r = await pruneBackups(dest, {
    keep: count(values.keep, '--keep'),
    keepDays: count(values['keep-days'], '--keep-days'),
    dryRun: values['dry-run'] ?? false,
  });
  if (ctx.json) ctx.out(JSON.stringify({ dryRun: values['dry-run'] ?? false, ...r }, null, 2));
  else {
    const verb = values['dry-run'] ? 'would remove' : 'removed';
    for (const id of r.removed) ctx.out(`${verb} backup ${id}`);
    for (const id of r.incomplete) ctx.out(`${verb} incomplete backup ${id}`);
    ctx.out(
      `${verb} ${r.removed.length} backups and ${r.incomplete.length} incomplete ones (${humanSize(r.removedBackupBytes)}), ${r.removedBlobs} message bodies (${humanSize(r.removedBlobBytes)}); kept ${r.kept.length} backups sharing ${r.keptBlobs} bodies`,
    );
  }
  return 0;
}
