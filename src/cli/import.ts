import { join, resolve } from 'node:path';
import { openApp } from '../app.js';
import { OperatorError } from '../core/errors.js';
import { ImapSource } from '../ops/import/imap-source.js';
import type { ImportSource } from '../ops/import/import-message.js';
import { runImport } from '../ops/import/importer.js';
import { layoutFor, MaildirSource } from '../ops/import/maildir-source.js';
import { MboxSource } from '../ops/import/mbox-source.js';
import { PstSource } from '../ops/import/pst-source.js';
import { type CommandGroup, parseOptions, printTable, requireArg } from './command.js';
import { humanSize, progressPrinter } from './progress.js';

async function passwordFromStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new OperatorError('--password-stdin: nothing on standard input');
  return line;
}

const OPTIONS = {
  user: { type: 'string' },
  'dry-run': { type: 'boolean' },
  folder: { type: 'string' },
  layout: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  tls: { type: 'boolean' },
  insecure: { type: 'boolean' },
  login: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  batch: { type: 'string' },
  'include-views': { type: 'boolean' },
  'cyrus-user': { type: 'string' },
} as const;

export const importCommand: CommandGroup = {
  async run(args, ctx) {
    const [kind, ...rest] = args;
    const { values, positionals } = parseOptions(rest, OPTIONS);
    const user = requireArg(values.user, '--user ADDRESS');
    const app = await openApp(ctx.dataDir);
    try {
      const account = await app.directory.getAccount(user);
      if (!account) throw new OperatorError(`no account ${user}`);
      let source: ImportSource;
      if (kind === 'mbox') {
        if (!positionals.length) throw new OperatorError('missing FILE (one or more mbox files)');
        source = new MboxSource(
          positionals.map((p) => resolve(p)),
          values.folder,
        );
      } else if (kind === 'maildir') {
        const dir = resolve(requireArg(positionals[0], 'DIR (the Maildir)'));
        const cyrusUser = values['cyrus-user'];
        if (cyrusUser !== undefined && values.layout !== 'cyrus')
          throw new OperatorError('--cyrus-user goes with --layout cyrus');
        source = new MaildirSource(dir, layoutFor(values.layout, dir), cyrusUser ? { cyrusUser } : {});
      } else if (kind === 'imap') {
        if (!values['password-stdin'])
          throw new OperatorError(
            'give the password on standard input with --password-stdin (never on the command line)',
          );
        const port = Number(requireArg(values.port, '--port'));
        if (!Number.isInteger(port) || port < 1 || port > 65535)
          throw new OperatorError(`--port: "${values.port}" is not a port`);
        source = new ImapSource({
          host: requireArg(values.host, '--host'),
          port,
          tls: values.tls ?? false,
          insecure: values.insecure ?? false,
          login: requireArg(values.login, '--login'),
          password: await passwordFromStdin(),
          ...(values.batch ? { batch: Number(values.batch) } : {}),
          includeViews: values['include-views'] ?? false,
        });
      } else if (kind === 'pst') {
        source = new PstSource(
          resolve(requireArg(positionals[0], 'FILE (the PST)')),
          join(app.config.dataDir, 'import', `groupware-${account.id}.jsonl`),
        );
      } else throw new OperatorError(`unknown source "${kind ?? ''}"; use mbox, maildir, imap or pst`);
      const r = await runImport(app, user, source, {
        dryRun: values['dry-run'] ?? false,
        progress: progressPrinter(ctx),
      });
      const aside = source instanceof PstSource ? source.aside : undefined;
      if (ctx.json) {
        ctx.out(JSON.stringify({ ...r, ...(aside === undefined ? {} : { keptAside: aside }) }, null, 2));
        return;
      }
      printTable(
        ctx,
        r.folders.map((f) => ({
          folder: f.into ? `${f.folder} → ${f.into}` : f.folder,
          [r.dryRun ? 'would import' : 'imported']: f.imported,
          'already there': f.skipped,
          size: humanSize(f.bytes),
        })),
      );
      for (const v of r.leftOut)
        ctx.out(
          `left out ${v.folder}: ${v.messages} messages, a view of mail other folders hold (--include-views copies it as a folder)`,
        );
      const rate = r.ms > 0 ? Math.round((r.imported * 1000) / r.ms) : 0;
      ctx.out(
        `${r.dryRun ? 'dry run: would import' : 'imported'} ${r.imported} messages (${humanSize(r.bytes)}) into ${r.user}, ${r.skipped} already imported; ${(r.ms / 1000).toFixed(1)} s${r.dryRun ? '' : `, ${rate} msg/s`}`,
      );
      if (aside)
        ctx.out(
          `${aside} contacts, calendar items and tasks kept aside in ${join(app.config.dataDir, 'import', `groupware-${account.id}.jsonl`)}`,
        );
    } finally {
      await app.close();
    }
  },
};
