import type { App } from '../app.js';
import { smtpTimeReject } from '../delivery/local/smtp-time-reject.js';
import { InboundChecks } from '../policy/inbound-checks.js';
import type { ProtocolService } from '../server/service.js';
import { IntakeThread, smtpIntakeThread, type IntakeBackend } from './intake-thread.js';
import { messageIntake } from './message-intake.js';

/** The SMTP listeners of a running server, on their own thread, wired to the app's directory, policy and queue. */
export function smtpServices(app: App): ProtocolService[] {
  // Rule workers compile in the background; the listeners start at once.
  app.scan.start();
  const thread = new IntakeThread(smtpBackend(app));
  app.mailbox.parseBodiesWith((raw) => thread.parseBody(raw));
  return smtpIntakeThread(thread);
}

/** The main thread's side of SMTP intake: what the SMTP thread asks of the app. */
export function smtpBackend(app: App): IntakeBackend {
  const inbound = new InboundChecks(app.config, app.store.blobs, app.log, app.metrics);
  return {
    config: app.config,
    log: app.log,
    metrics: app.metrics,
    resolveRecipient: (address) => app.directory.resolveRecipient(address),
    mayUseAddress: (account, from) => app.directory.mayUseAddress(account, from),
    quotaStatus: (accountId) => app.mailbox.quotaStatus(accountId),
    authenticate: (user, pass, ctx) => app.directory.authenticate(user, pass, ctx),
    storeBody: (body) => app.store.blobs.put(body),
    checkClient: (client) => inbound.recipient(client),
    queueMessage: messageIntake({
      guard: app.queue.guard,
      enqueue: (req) => app.queue.enqueue(req),
      inboundCheck: (req) => inbound.check(req),
      scan: (req) => app.scan.content.check(req),
      recipientFilter: smtpTimeReject({
        sieve: app.sieve,
        directory: app.directory,
        mailbox: app.mailbox,
        blobs: app.store.blobs,
        config: app.config,
        log: app.log,
      }),
    }),
  };
}
