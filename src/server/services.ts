import type { App } from '../app.js';
import type { TlsManager } from '../tls/tls-manager.js';
import { notYetBuilt } from './not-yet-built.js';
import type { ProtocolService } from './service.js';

/**
 * Every protocol service the server runs besides HTTP, one per `listen.*` key. A capability that
 * is not built yet answers with a polite refusal on its port.
 */
export function protocolServices(_app: App, _tls: TlsManager): ProtocolService[] {
  return [
    notYetBuilt('smtp', 'listen.smtp', 'smtp'),
    notYetBuilt('submission', 'listen.submission', 'smtp'),
    notYetBuilt('submissions', 'listen.submissions', 'smtp'),
    notYetBuilt('imap', 'listen.imap', 'imap'),
    notYetBuilt('imaps', 'listen.imaps', 'imap'),
    notYetBuilt('pop3', 'listen.pop3', 'pop3'),
    notYetBuilt('pop3s', 'listen.pop3s', 'pop3'),
    notYetBuilt('managesieve', 'listen.managesieve', 'managesieve'),
  ];
}
