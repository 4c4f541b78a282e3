import type { App } from '../app.js';
import { smtpTimeReject } from '../delivery/local/smtp-time-reject.js';
import { InboundChecks, type InboundClient } from '../policy/inbound-checks.js';
import { recipientFacts } from '../policy/smtp-policy.js';
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
  const sources = {
    resolveRecipient: (address: string) => app.directory.resolveRecipient(address),
    quotaStatus: (accountId: number) => app.mailbox.quotaStatus(accountId),
    checkClient: (client: InboundClient) => inbound.recipient(client),
  };
  return {
    config: app.config,
    log: app.log,
    metrics: app.metrics,
    recipientFacts: (address, sender, client) => recipientFacts(sources, address, sender, client),
    mayUseAddress: (account, from) => app.directory.mayUseAddress(account, from),
    authenticate: (user, pass, ctx) => app.directory.authenticate(user, pass, ctx),
    storeBody: (body) => app.store.blobs.put(body),
    queueMessage: messageIntake({
      guard: app.queue.guard,
      accept: (req) => app.queue.accept(req),
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
