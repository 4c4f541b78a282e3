import { openApp } from '../app.js';
import { dnsRecord } from '../dkim/dkim-service.js';
import { OperatorError } from '../core/errors.js';
import { type CommandGroup, parseOptions, printRecord, printTable, requireArg } from './command.js';

export const dkimCommand: CommandGroup = {
  async run(args, ctx) {
    const { values, positionals } = parseOptions(args, {
      selector: { type: 'string' },
      algorithm: { type: 'string' },
    });
    const [sub, domain, selector] = positionals;
    const app = await openApp(ctx.dataDir);
    try {
      switch (sub) {
        case 'generate': {
          const algorithm = values.algorithm ?? 'rsa';
          if (algorithm !== 'rsa' && algorithm !== 'ed25519')
            throw new OperatorError(`--algorithm must be rsa or ed25519, not "${algorithm}"`);
          const key = await app.dkim.generate(requireArg(domain, 'DOMAIN'), {
            ...(values.selector ? { selector: values.selector } : {}),
            algorithm,
          });
          const rec = dnsRecord(key);
          if (ctx.json)
            printRecord(ctx, {
              domain: key.domain,
              selector: key.selector,
              algorithm: key.algorithm,
              name: rec.name,
              value: rec.value,
            });
          else {
            ctx.out(
              `New ${key.algorithm} key for ${key.domain}, selector ${key.selector}; it signs from now on. Publish:`,
            );
            ctx.out(`${rec.name}. IN TXT "${rec.value}"`);
          }
          return;
        }
        case 'list':
          printTable(
            ctx,
            (await app.dkim.list(domain)).map((k) => ({
              domain: k.domain,
              selector: k.selector,
              algorithm: k.algorithm,
              active: k.active ? 'yes' : 'no',
              created: new Date(k.createdAt).toISOString(),
            })),
          );
          return;
        case 'record': {
          const keys = await app.dkim.list(requireArg(domain, 'DOMAIN'));
          const key = selector ? keys.find((k) => k.selector === selector) : keys.find((k) => k.active);
          if (!key)
            throw new OperatorError(
              `no ${selector ? `key ${selector}` : 'active key'} for ${domain}; create one with \`mailstead dkim generate ${domain}\``,
            );
          const rec = dnsRecord(key);
          ctx.out(ctx.json ? JSON.stringify(rec) : `${rec.name}. IN TXT "${rec.value}"`);
          return;
        }
        case 'activate':
          await app.dkim.activate(requireArg(domain, 'DOMAIN'), requireArg(selector, 'SELECTOR'));
          ctx.out(`${selector} now signs mail from ${domain}`);
          return;
        case 'remove':
          await app.dkim.remove(requireArg(domain, 'DOMAIN'), requireArg(selector, 'SELECTOR'));
          ctx.out(`removed ${selector} of ${domain}`);
          return;
        default:
          throw new OperatorError(
            `unknown subcommand "${sub ?? ''}"; use generate, list, record, activate or remove`,
          );
      }
    } finally {
      await app.close();
    }
  },
};
