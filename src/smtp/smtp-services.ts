import type { App } from '../app.js';
import { smtpTimeReject } from '../delivery/local/smtp-time-reject.js';
import { SmtpPolicy } from '../policy/smtp-policy.js';
import { InboundChecks } from '../policy/inbound-checks.js';
import type { ProtocolService } from '../server/service.js';
import type { TlsManager } from '../tls/tls-manager.js';
import { createSmtpServices } from './smtp-service.js';

/** The SMTP listeners of a running server, wired to the app's directory, policy and queue. */
export function smtpServices(app: App, tls: TlsManager): ProtocolService[] {
  // Rule workers compile in the background; the listeners start at once.
  app.scan.start();
  const inbound = new InboundChecks(app.config, app.store.blobs, app.log, app.metrics);
  const policy = new SmtpPolicy(app.config, app.directory, { now: () => Date.now() }, app.mailbox);
  return createSmtpServices(
    {
      config: app.config,
      log: app.log,
      metrics: app.metrics,
      policy,
      guard: app.queue.guard,
      authenticate: (user, pass, ctx) => app.directory.authenticate(user, pass, ctx),
      storeBody: (body) => app.store.blobs.put(body),
      enqueue: (req) => app.queue.enqueue(req),
      scan: (req) => app.scan.content.check(req),
      recipientFilter: smtpTimeReject({
        sieve: app.sieve,
        directory: app.directory,
        mailbox: app.mailbox,
        blobs: app.store.blobs,
        config: app.config,
        log: app.log,
      }),
      inbound,
    },
    tls,
  );
}
