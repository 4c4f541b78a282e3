import { readFileSync } from 'node:fs';
import { OperatorError } from '../core/errors.js';
import { SYSTEM } from '../directory/types.js';
import {
  BrandingService,
  hostnameOf,
  type BrandingUpdate,
  type ScopeBranding,
} from '../http/branding/branding.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';
import { subcommand, withApp } from './directory-cli.js';

/** `none` clears a field (the wider scope's value applies again). */
const orNone = (v: string | undefined) => (v === undefined ? undefined : v === 'none' ? null : v);

const flat = (b: ScopeBranding) => ({
  scope: b.scope,
  productName: b.productName,
  accent: b.colours.accent,
  header: b.colours.header,
  headerText: b.colours.headerText,
  logo: b.logo ? `${b.logo.width}x${b.logo.height} ${b.logo.contentType} (${b.logo.bytes} bytes)` : null,
});

export const brandingCommand: CommandGroup = {
  run: (args, ctx) =>
    withApp(ctx, async (app) => {
      const { values, positionals } = parseOptions(args, {
        host: { type: 'string' },
        name: { type: 'string' },
        accent: { type: 'string' },
        header: { type: 'string' },
        'header-text': { type: 'string' },
        remove: { type: 'boolean' },
      });
      const [sub, scope, file] = positionals;
      const branding = new BrandingService(app.store.db, app.directory);
      switch (subcommand(sub, ['list', 'show', 'set', 'logo', 'remove'])) {
        case 'list':
          printTable(ctx, (await branding.list(SYSTEM)).map(flat));
          return;
        case 'show':
          if (values.host !== undefined) {
            const host = hostnameOf(values.host);
            if (!host) throw new OperatorError(`--host: "${values.host}" is not a hostname`);
            const e = await branding.effective(host);
            printRecord(ctx, {
              productName: e.productName,
              ...e.colours,
              logo: e.logo ? `${e.logo.width}x${e.logo.height} ${e.logo.url}` : null,
            });
          } else printRecord(ctx, flat(await branding.get(requireArg(scope, 'SCOPE'), SYSTEM)));
          return;
        case 'set': {
          if (
            [values.name, values.accent, values.header, values['header-text']].every((v) => v === undefined)
          )
            throw new OperatorError('nothing to set: give --name, --accent, --header or --header-text');
          const update: BrandingUpdate = { colours: {} };
          if (values.name !== undefined) update.productName = orNone(values.name);
          if (values.accent !== undefined) update.colours!.accent = orNone(values.accent);
          if (values.header !== undefined) update.colours!.header = orNone(values.header);
          if (values['header-text'] !== undefined) update.colours!.headerText = orNone(values['header-text']);
          printRecord(ctx, flat(await branding.update(requireArg(scope, 'SCOPE'), update, SYSTEM)));
          return;
        }
        case 'logo': {
          const s = requireArg(scope, 'SCOPE');
          if (values.remove) {
            if (!(await branding.removeLogo(s, SYSTEM))) throw new OperatorError(`${s} has no logo`);
            ctx.out(`removed the logo of ${s}`);
            return;
          }
          const path = requireArg(file, 'FILE');
          let image: Buffer;
          try {
            image = readFileSync(path);
          } catch (e) {
            throw new OperatorError(`cannot read ${path}: ${(e as Error).message}`);
          }
          const meta = await branding.setLogo(s, image, SYSTEM);
          ctx.out(`logo of ${s}: ${meta.width}x${meta.height} ${meta.contentType}, ${meta.bytes} bytes`);
          return;
        }
        case 'remove':
          if (!(await branding.remove(requireArg(scope, 'SCOPE'), SYSTEM)))
            throw new OperatorError(`${scope} has no branding`);
          ctx.out(`removed the branding of ${scope}`);
          return;
      }
    }),
};
