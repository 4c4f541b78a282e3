import { newId } from '../../core/ids.js';
import { NotFoundError } from '../../core/errors.js';
import type { Account } from '../../directory/types.js';
import type { Logger } from '../../log/logger.js';
import { BadFolderNameError } from '../../mailbox/folder-names.js';
import type { MailboxActor } from '../../mailbox/types.js';
import { domainOf } from '../../queue/address-domain.js';
import type { DeliveryResult, DueRecipient, EnqueueRequest, NewRecipient } from '../../queue/types.js';
import type { SieveAction, VacationAction } from '../../sieve/actions.js';
import { applyHeaderEdits } from '../../sieve/service/header-edits.js';
import type { SieveService } from '../../sieve/service/sieve-service.js';
import { vacationReply } from '../../sieve/service/vacation-reply.js';
import type { BlobRef, BlobStore } from '../../store/blobs/blob-store.js';
import type { MailboxAppender, SieveRunner } from './ports.js';

export interface SieveStepDeps {
  sieve: SieveService;
  directory: {
    getAccountById(id: number): Promise<Account | undefined>;
    isLocalDomain(domain: string): Promise<boolean>;
  };
  mailbox: MailboxAppender & {
    actorFor(accountId: number): Promise<MailboxActor>;
    folders: { list(actor: MailboxActor): Promise<{ name: string }[]> };
  };
  blobs: BlobStore;
  /** Queues a new message (vacation replies); bound late, since the queue is built after this step. */
  enqueue: (req: EnqueueRequest) => Promise<string>;
  hostname: () => string;
  log: Logger;
  /** The folder a keep files into instead of INBOX when the message is spam for this account (Junk). */
  junkFolder?: (r: DueRecipient, accountId: number) => Promise<string | undefined>;
}

const IMPLICIT_KEEP: SieveAction[] = [{ type: 'keep', flags: [], implicit: true }];

/**
 * Delivery to one account through its Sieve scripts (global before, the user's, global after):
 * stores the message where they say (with their flags and header edits), queues redirects as
 * new recipients, turns a reject into a bounce and a vacation action into a queued auto-reply.
 * A script that fails keeps the message in INBOX and says why in the log; a fileinto to a
 * folder that does not exist (without :create) files into INBOX instead.
 */
export function sieveStep(deps: SieveStepDeps): SieveRunner {
  return async ({ recipient: r, accountId, deliveredTo, prefix }) => {
    const m = r.message;
    const account = await deps.directory.getAccountById(accountId);
    const log = deps.log.child({ queueId: r.queueId, user: account?.address ?? accountId });
    const run = account
      ? await deps.sieve.runForDelivery({
          account,
          envelope: {
            from: m.sender,
            to: deliveredTo,
            ...(r.orcpt ? { originalRecipient: r.orcpt.replace(/^rfc822;/i, '') } : {}),
          },
          readMessage: () => deps.blobs.get(m.blobHash, m.blobVolume || undefined),
          folderNames: async () =>
            (await deps.mailbox.folders.list(await deps.mailbox.actorFor(accountId))).map((f) => f.name),
        })
      : undefined;
    const failure = run?.userError ?? run?.error;
    if (failure)
      log.warn({ event: 'sieve_failed', err: failure.message }, 'Sieve script failed; the message is kept');
    const actions = run?.actions ?? IMPLICIT_KEEP;

    const reject = actions.find((a) => a.type === 'reject');
    if (reject) {
      await run?.commit();
      return {
        state: 'bounced',
        reply: `550 5.7.1 <${deliveredTo}>: rejected by the recipient's mail filter: ${reject.reason.replace(/\s+/g, ' ').slice(0, 400)}`,
      };
    }

    const edits = actions.filter((a) => a.type === 'addheader' || a.type === 'deleteheader');
    const blob: BlobRef =
      edits.length && run
        ? await deps.blobs.put(applyHeaderEdits(run.raw, edits))
        : { hash: m.blobHash, size: m.size };
    const keepFolder = actions.some((a) => a.type === 'keep')
      ? await deps.junkFolder?.(r, accountId)
      : undefined;
    const stored: string[] = [];
    const store = async (folder: string | undefined, flags: string[], create: boolean) => {
      const res = await deps.mailbox.deliver({
        accountId,
        ...(folder ? { folder, createFolder: create } : {}),
        blob,
        prefix,
        internalDate: m.receivedAt,
        flags,
        dedupeKey: `${r.queueId}/${accountId}/${folder ?? 'INBOX'}`,
      });
      stored.push(`${res.folder} uid ${res.uid}`);
    };
    for (const a of actions) {
      if (a.type === 'keep') await store(keepFolder, a.flags, true);
      if (a.type !== 'fileinto') continue;
      try {
        await store(a.mailbox, a.flags, a.create);
      } catch (e) {
        if (!(e instanceof NotFoundError || e instanceof BadFolderNameError)) throw e;
        log.warn(
          { event: 'sieve_fileinto_failed', folder: a.mailbox, err: e.message },
          'fileinto failed; filed into INBOX',
        );
        await store(undefined, a.flags, false);
      }
    }

    for (const a of actions) if (a.type === 'vacation') await sendVacation(deps, a, r.queueId, log);
    const children: NewRecipient[] = [];
    for (const a of actions) {
      if (a.type !== 'redirect') continue;
      const domain = domainOf(a.address);
      children.push({
        address: a.address,
        domain,
        kind: (await deps.directory.isLocalDomain(domain)) ? 'local' : 'remote',
        accountId: null,
        orcpt: `rfc822;${deliveredTo}`,
        notify: r.notify,
        state: 'queued',
        nextAttempt: 0,
      });
    }
    await run?.commit();
    const where = stored.length ? `delivered to ${stored.join(', ')}` : 'discarded by Sieve';
    if (children.length)
      return {
        state: 'expanded',
        reply: `250 2.0.0 <${deliveredTo}> ${where}, redirected to ${children.map((c) => c.address).join(', ')}`,
        children,
      };
    return { state: 'delivered', reply: `250 2.0.0 <${deliveredTo}> ${where}` } satisfies DeliveryResult;
  };
}

async function sendVacation(
  deps: SieveStepDeps,
  a: VacationAction,
  queueId: string,
  log: Logger,
): Promise<void> {
  const id = newId();
  const messageId = `${id}.vacation@${deps.hostname()}`;
  const blob = await deps.blobs.put(vacationReply(a, { messageId, now: new Date() }));
  const kind = (await deps.directory.isLocalDomain(domainOf(a.to))) ? 'local' : 'remote';
  await deps.enqueue({
    queueId: id,
    sender: '',
    recipients: [{ address: a.to, kind }],
    blob,
    trace: '',
    messageId: `<${messageId}>`,
    subject: a.subject,
    clientIp: null,
    clientName: null,
    helo: null,
    authUser: null,
    source: 'local',
  });
  log.info({ event: 'sieve_vacation_sent', to: a.to, replyQueueId: id, inReplyTo: queueId });
}
