import { openApp } from '../app.js';
import { OperatorError } from '../core/errors.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';

export const antivirusCommand: CommandGroup = {
  async run(args, ctx) {
    const { positionals } = parseOptions(args, {});
    const [sub, action, id] = positionals;
    const app = await openApp(ctx.dataDir);
    try {
      if (sub === 'status') {
        const st = await app.scan.virus.status();
        if (st.address === null) {
          printRecord(ctx, { clamd: 'off (antivirus.clamd is empty)' });
          return 1;
        }
        if (!st.reachable) {
          printRecord(ctx, { clamd: st.address, reachable: 'no', error: st.error });
          return 1;
        }
        printRecord(ctx, {
          clamd: st.address,
          reachable: 'yes',
          engine: st.version.engine,
          signatures_version: st.version.dbVersion,
          signatures_date: st.version.dbDate,
          threads:
            st.stats.threads &&
            `${st.stats.threads.live} live, ${st.stats.threads.idle} idle, ${st.stats.threads.max} max`,
          queue: st.stats.queueItems,
          memory_mb: st.stats.memoryMb,
        });
        return 0;
      }
      if (sub !== 'quarantine')
        throw new OperatorError(`unknown subcommand "${sub ?? ''}"; use status or quarantine`);
      const q = app.scan.store.quarantine;
      switch (action ?? 'list') {
        case 'list':
          printTable(
            ctx,
            (await q.list()).map((e) => ({
              id: e.id,
              time: new Date(e.createdAt).toISOString(),
              virus: e.virus,
              sender: e.sender || '<>',
              recipients: e.recipients,
              size: e.size,
            })),
          );
          return 0;
        case 'show': {
          const e = await q.get(requireArg(id, 'ID'));
          if (!e) throw new OperatorError(`no quarantined message ${id}`);
          ctx.out((await app.store.blobs.get(e.blobHash)).toString('latin1'));
          return 0;
        }
        case 'delete':
          if (!(await q.remove(requireArg(id, 'ID'))))
            throw new OperatorError(`no quarantined message ${id}`);
          ctx.out(`deleted ${id}`);
          return 0;
        default:
          throw new OperatorError(`unknown quarantine action "${action}"; use list, show or delete`);
      }
    } finally {
      await app.close();
    }
  },
};
