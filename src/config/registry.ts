import type { KeyDef } from './schema.js';
import { serverKeys } from './keys/server.js';
import { smtpKeys } from './keys/smtp.js';
import { queueKeys } from './keys/queue.js';
import { remoteKeys } from './keys/remote.js';
import { authenticityKeys } from './keys/authenticity.js';
import { storeKeys } from '../store/store-keys.js';
import { opsKeys } from './keys/ops.js';
import { mailboxKeys } from './keys/mailbox.js';
import { pop3Keys } from './keys/pop3.js';
import { imapKeys } from './keys/imap.js';
import { sieveKeys } from './keys/sieve.js';
import { scanKeys } from './keys/scan.js';

/** Every setting Mailstead knows, in the order docs and `config list` show them. */
export const allKeys: readonly KeyDef[] = [
  ...serverKeys,
  ...smtpKeys,
  ...queueKeys,
  ...remoteKeys,
  ...authenticityKeys,
  ...storeKeys,
  ...opsKeys,
  ...mailboxKeys,
  ...pop3Keys,
  ...sieveKeys,
  ...imapKeys,
  ...scanKeys,
];

const byKey = new Map(allKeys.map((k) => [k.key, k]));
if (byKey.size !== allKeys.length) throw new Error('a config key is declared twice');

export function keyDef(key: string): KeyDef | undefined {
  return byKey.get(key);
}
