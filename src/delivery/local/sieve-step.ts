import { newId } from '../../core/ids.js';
import { NotFoundError } from '../../core/errors.js';
import type { Account } from '../../directory/types.js';
import type { Logger } from '../../log/logger.js';
import { BadFolderNameError } from '../../mailbox/folder-names.js';
import type { MailboxActor } from '../../mailbox/types.js';
import { domainOf } from '../../queue/address-domain.js';
import type { DeliveryResult, DueRecipient, EnqueueRequest, NewRecipient } from '../../queue/types.js';
import type { SieveAction } from '../../sieve/actions.js';
import { applyHeaderEdits } from '../../sieve/service/header-edits.js';
import { notifyMessage } from '../../sieve/service/notify-message.js';
import { rejectMdn } from '../../sieve/service/reject-mdn.js';
import type { DeliveryRun, SieveService } from '../../sieve/service/sieve-service.js';
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
 * new recipients (or, when the script edited the header, as a new message carrying the edits),
 * answers a reject with an MDN and an ereject with a bounce (the queue's DSN), and queues
 * vacation replies and notifications as messages of their own.
 * A script that fails keeps the message in INBOX and says why in the log; a fileinto to a
 * folder that does not exist (without :create) files into INBOX instead.
 */
export function sieveStep(deps: SieveStepDeps): SieveRunner {
  return async ({ recipient: r, accountId, deliveredTo, prefix, account: known }) => {
    const m = r.message;
    const account = known ?? (await deps.directory.getAccountById(accountId));
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
          arrival: { queueId: r.queueId, source: m.source },
          folderNames: async () =>
            (await deps.mailbox.folders.list(await deps.mailbox.actorFor(accountId))).map((f) => f.name),
        })
      : undefined;
    const failure = run?.userError ?? run?.error;
    if (failure)
      log.warn({ event: 'sieve_failed', err: failure.message }, 'Sieve script failed; the message is kept');
    const actions = run?.actions ?? IMPLICIT_KEEP;

    const reject = actions.find((a) => a.type === 'reject');
    if (reject && run) {
      await run.commit();
      const reason = reject.reason.replace(/\s+/g, ' ').trim().slice(0, 400);
      // RFC 5429 §2.1: after the SMTP transaction an ereject can only bounce (the queue's DSN).
      if (reject.ereject)
        return {
          state: 'bounced',
          reply: `550 5.7.1 <${deliveredTo}>: refused by the recipient's mail filter: ${reason}`,
        };
      // RFC 5429 §2.2.1: reject answers with an MDN, never to the null sender.
      if (m.sender) await sendRejectMdn(deps, run, reject.reason, { r, deliveredTo });
      log.info({ event: 'sieve_rejected', mdn: !!m.sender, reason });
      return {
        state: 'delivered',
        reply: `250 2.0.0 <${deliveredTo}> rejected by Sieve (${m.sender ? `MDN sent to <${m.sender}>` : 'null sender: no MDN'})`,
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

    for (const a of actions) {
      if (a.type === 'vacation') {
        const messageId = `${newId()}.vacation@${deps.hostname()}`;
        const id = await queueMessage(deps, {
          sender: '',
          recipients: [{ address: a.to }],
          raw: vacationReply(a, { messageId, now: new Date() }),
          messageId,
          subject: a.subject,
        });
        log.info({ event: 'sieve_vacation_sent', to: a.to, replyQueueId: id, inReplyTo: r.queueId });
      }
      if (a.type === 'notify' && run) {
        const messageId = `${newId()}.notify@${deps.hostname()}`;
        const n = notifyMessage(a, {
          owner: deliveredTo,
          envelopeFrom: m.sender,
          ...firstFields(run, { from: 'from', subject: 'subject', messageId: 'message-id' }),
          messageIdOfNotice: messageId,
          now: new Date(),
        });
        const id = await queueMessage(deps, {
          sender: n.sender,
          recipients: n.recipients.map((address) => ({ address })),
          raw: n.raw,
          messageId,
          subject: null,
        });
        log.info({ event: 'sieve_notify_sent', to: n.recipients, notifyQueueId: id });
      }
    }
    const redirects = actions.filter((a) => a.type === 'redirect');
    // RFC 5293 §3: a redirect sends the message as the script edited it, so it needs its own blob.
    if (redirects.length && blob.hash !== m.blobHash) {
      const id = await queueMessage(deps, {
        sender: m.sender,
        recipients: redirects.map((a) => ({
          address: a.address,
          orcpt: `rfc822;${deliveredTo}`,
          notify: r.notify,
        })),
        blob,
        trace: m.trace,
        messageId: m.messageId,
        subject: m.subject,
      });
      log.info({ event: 'sieve_redirect_edited', to: redirects.map((a) => a.address), redirectQueueId: id });
    }
    const children: NewRecipient[] = [];
    for (const a of blob.hash === m.blobHash ? redirects : []) {
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
    const where = [
      stored.length ? `delivered to ${stored.join(', ')}` : 'discarded by Sieve',
      ...(redirects.length && !children.length
        ? [`redirected with edited header to ${redirects.map((a) => a.address).join(', ')}`]
        : []),
    ].join(', ');
    if (children.length)
      return {
        state: 'expanded',
        reply: `250 2.0.0 <${deliveredTo}> ${where}, redirected to ${children.map((c) => c.address).join(', ')}`,
        children,
      };
    return { state: 'delivered', reply: `250 2.0.0 <${deliveredTo}> ${where}` } satisfies DeliveryResult;
  };
}

interface Outgoing {
  sender: string;
  recipients: { address: string; orcpt?: string; notify?: string | null }[];
  raw?: Buffer;
  blob?: BlobRef;
  trace?: string;
  messageId: string | null;
  subject: string | null;
}

/** Queues a message the script's actions send (a reply, a notice, an edited redirect) as a new queue entry. */
async function queueMessage(deps: SieveStepDeps, o: Outgoing): Promise<string> {
  const id = newId();
  const blob = o.blob ?? (await deps.blobs.put(o.raw!));
  const recipients = [];
  for (const rc of o.recipients)
    recipients.push({
      ...rc,
      kind: (await deps.directory.isLocalDomain(domainOf(rc.address)))
        ? ('local' as const)
        : ('remote' as const),
    });
  await deps.enqueue({
    queueId: id,
    sender: o.sender,
    recipients,
    blob,
    trace: o.trace ?? '',
    messageId: o.messageId === null || o.messageId.startsWith('<') ? o.messageId : `<${o.messageId}>`,
    subject: o.subject,
    clientIp: null,
    clientName: null,
    helo: null,
    authUser: null,
    source: 'local',
  });
  return id;
}

async function sendRejectMdn(
  deps: SieveStepDeps,
  run: DeliveryRun,
  reason: string,
  at: { r: DueRecipient; deliveredTo: string },
): Promise<void> {
  const messageId = `${newId()}.mdn@${deps.hostname()}`;
  const sender = at.r.message.sender;
  const fields = firstFields(run, { subject: 'subject', originalMessageId: 'message-id' });
  await queueMessage(deps, {
    sender: '',
    recipients: [{ address: sender }],
    raw: rejectMdn({
      to: sender,
      recipient: at.deliveredTo,
      ...(at.r.orcpt ? { originalRecipient: at.r.orcpt.replace(/^rfc822;/i, '') } : {}),
      reason,
      ...fields,
      original: run.raw,
      reportingHost: deps.hostname(),
      messageId,
      now: new Date(),
    }),
    messageId,
    subject: `Rejected: ${fields.subject ?? ''}`,
  });
}

/** The first value of each named header field, leaving out the absent ones. */
function firstFields<K extends string>(
  run: DeliveryRun,
  names: Record<K, string>,
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [key, field] of Object.entries(names) as [K, string][]) {
    const v = run.header(field)[0];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
