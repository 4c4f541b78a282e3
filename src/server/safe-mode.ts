import { refusingService, type RefusalProtocol } from './not-yet-built.js';
import type { ProtocolService } from './service.js';

const PROTOCOL_KEYS: [string, RefusalProtocol][] = [
  ['smtp', 'smtp'],
  ['submission', 'smtp'],
  ['submissions', 'smtp'],
  ['imap', 'imap'],
  ['imaps', 'imap'],
  ['pop3', 'pop3'],
  ['pop3s', 'pop3'],
  ['managesieve', 'managesieve'],
];

/**
 * After a failed store upgrade the server runs on the old schema in safe mode: mail services
 * refuse politely (senders retry later, nothing is accepted that could not be stored), while
 * HTTP and the directory keep working so the administrator can log in and see what happened.
 */
export function safeModeServices(reason: string): ProtocolService[] {
  const why = `Temporarily unavailable: ${reason}`;
  return PROTOCOL_KEYS.map(([name, protocol]) => refusingService(name, `listen.${name}`, protocol, why));
}
