import { Config } from '../config/config.js';
import { schemaComponents } from '../store/components.js';
import { type MigrationStep, pendingMigrations } from '../store/migrate.js';
import { openDatabase, snapshotDir } from '../store/store.js';
import { checkUpgrade, type UpgradeReport, upgradeStore } from '../store/upgrade.js';
import { type CommandGroup, parseOptions } from './command.js';

export const upgradeCommand: CommandGroup = {
  async run(args, ctx) {
    const { values } = parseOptions(args, { check: { type: 'boolean' } }, false);
    const config = Config.open(ctx.dataDir);
    const url = config.get<string>('store.url');
    let db = await openDatabase({ url, dataDir: config.dataDir });
    try {
      const pending = await pendingMigrations(db, schemaComponents);
      if (!ctx.json) {
        for (const p of pending) ctx.out(`${p.component}: version ${p.from} -> ${p.to}`);
      }
      const onStep = (s: MigrationStep) => {
        if (!ctx.json)
          ctx.out(
            `  ${s.error ? 'FAIL' : 'OK  '} ${s.component} ${s.version} ${s.name} (${Math.round(s.ms)} ms)${s.error ? `: ${s.error}` : ''}`,
          );
      };
      let report: UpgradeReport;
      if (values.check) {
        report = await checkUpgrade({ db, snapshotDir: snapshotDir(config), onStep });
      } else {
        const done = await upgradeStore({ db, url, snapshotDir: snapshotDir(config), onStep });
        db = done.db;
        report = done.report;
      }
      if (ctx.json) ctx.out(JSON.stringify(report, null, 2));
      else (report.ok ? ctx.out : ctx.err)(report.message);
      return report.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};
