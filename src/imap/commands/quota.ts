import type { QuotaStatus } from '../../mailbox/types.js';
import type { QuotaCommand } from '../proto/parser/quota.js';
import { quota, quotaRoot, type QuotaResource } from '../proto/protocol/misc.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

/** STORAGE is counted in KiB (RFC 9208 section 5.1); an unlimited resource is not listed. */
function resources(q: QuotaStatus): QuotaResource[] {
  const out: QuotaResource[] = [];
  if (q.maxBytes !== null)
    out.push({
      resource: 'STORAGE',
      usage: Math.ceil(q.usedBytes / 1024),
      limit: Math.floor(q.maxBytes / 1024),
    });
  if (q.maxMessages !== null) out.push({ resource: 'MESSAGE', usage: q.usedMessages, limit: q.maxMessages });
  return out;
}

/** RFC 9208 GETQUOTA, GETQUOTAROOT, SETQUOTA (per-folder roots; the account's is the administrator's). */
export const quotaCommand: CommandHandler<QuotaCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    const svc = s.app.mailbox.quota;
    const actor = s.actor!;
    switch (cmd.name) {
      case 'GETQUOTAROOT': {
        const roots = await svc.roots(actor, cmd.mailbox);
        quotaRoot(
          s.w,
          cmd.mailbox,
          roots.map((r) => r.root),
        );
        for (const r of roots) quota(s.w, r.root, resources(r));
        break;
      }
      case 'GETQUOTA': {
        const r = await svc.get(actor, cmd.root);
        quota(s.w, r.root, resources(r));
        break;
      }
      case 'SETQUOTA': {
        const unknown = cmd.limits.find((l) => l.resource !== 'STORAGE' && l.resource !== 'MESSAGE');
        if (unknown) {
          await s.no(cmd.tag, `Unsupported quota resource ${unknown.resource}`);
          return null;
        }
        const limit = (name: string) => cmd.limits.find((l) => l.resource === name)?.limit ?? null;
        const kib = limit('STORAGE');
        const target = cmd.root === '' ? { accountId: actor.accountId } : { folder: cmd.root };
        await svc.set(actor, target, { bytes: kib === null ? null : kib * 1024, messages: limit('MESSAGE') });
        quota(s.w, cmd.root, resources(await svc.get(actor, cmd.root)));
        break;
      }
    }
    return { text: `${cmd.name} completed` };
  },
};
