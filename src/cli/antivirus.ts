import { openApp } from '../app.js';
import { OperatorError } from '../core/errors.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';

export const antivirusCommand: CommandGroup = {
  name: 'antivirus',
  summary: 'ClamAV: clamd status, the quarantine of infected messages',
  usage: [
    'antivirus status   (clamd reachable, engine and signature database version, threads, queue)',
    'antivirus quarantine [list]',
    'antivirus quarantine show ID   (the message as received)',
    'antivirus quarantine delete ID',
  ],
  async run(args, ctx) {
    const { positionals } = parseOptions(args, {});
    const [sub, action, id] = positionals;
    const app = await openApp(ctx.dataDir);
    try {
      if (sub === 'status') {
        const clamd = app.scan.virus.client();
        if (!clamd) {
          printRecord(ctx, { clamd: 'off (antivirus.clamd is empty)' });
          return 1;
        }
        const address = app.config.get<string>('antivirus.clamd');
        try {
          const [v, s] = [await clamd.version(), await clamd.stats()];
          printRecord(ctx, {
            clamd: address,
            reachable: 'yes',
            engine: v.engine,
            signatures_version: v.dbVersion,
            signatures_date: v.dbDate,
            threads: s.threads && `${s.threads.live} live, ${s.threads.idle} idle, ${s.threads.max} max`,
            queue: s.queueItems,
            memory_mb: s.memoryMb,
          });
          return 0;
        } catch (e) {
          printRecord(ctx, { clamd: address, reachable: 'no', error: (e as Error).message });
          return 1;
        }
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
