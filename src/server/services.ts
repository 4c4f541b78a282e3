import type { App } from '../app.js';
import { imapServices } from '../imap/server.js';
import { MaildropLocks } from '../pop3/maildrop-locks.js';
import { pop3Service } from '../pop3/pop3-service.js';
import { manageSieveService } from '../sieve/managesieve/managesieve-service.js';
import type { TlsManager } from '../tls/tls-manager.js';
import { smtpServices } from '../smtp/smtp-services.js';
import type { ProtocolService } from './service.js';

/**
 * Every protocol service the server runs besides HTTP, one per `listen.*` key. A capability that
 * is not built yet answers with a polite refusal on its port.
 */
export function protocolServices(app: App, tls: TlsManager): ProtocolService[] {
  const pop3Locks = new MaildropLocks();
  // Deliveries run only in the server, never in a CLI command that opens the same data dir.
  app.queue.start();
  return [
    ...smtpServices(app),
    ...imapServices(app, tls),
    pop3Service(app, tls, pop3Locks, false),
    pop3Service(app, tls, pop3Locks, true),
    manageSieveService(app, tls),
  ];
}
