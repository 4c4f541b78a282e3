import { Directory } from '../../src/directory/directory.js';
import { silentLogger } from '../../src/log/logger.js';
import { MailboxService } from '../../src/mailbox/mailbox-service.js';
import type { MailboxActor } from '../../src/mailbox/types.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { storedStructure } from '../../src/imap/stored-structure.js';
import type { TestBackend } from '../store/backends.js';

export interface MailboxFixture {
  mailbox: MailboxService;
  directory: Directory;
  /** Accounts alice, bob and carol @example.test, as actors. */
  alice: MailboxActor;
  bob: MailboxActor;
  carol: MailboxActor;
  /** Delivers a message to an account's folder and returns its uid. */
  deliver(
    to: MailboxActor,
    message: string,
    opts?: { folder?: string; prefix?: string; key?: string; flags?: string[] },
  ): Promise<number>;
}

let keys = 0;

export function message(subject: string, body = 'Hello there.', extra = ''): string {
  return `From: Sender <sender@example.org>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}-${++keys}@example.org>\r\n${extra}\r\n${body}\r\n`;
}

export async function mailboxFixture(
  backend: TestBackend,
  settings: Record<string, string> = {},
): Promise<MailboxFixture> {
  const db = await backend.db();
  const config = await backend.config(settings);
  const blobs = backend.blobs(db);
  const directory = new Directory(db, config, silentLogger(), new Metrics(false));
  await directory.addDomain({ name: 'example.test' });
  const mailbox = new MailboxService({
    db,
    blobs,
    config,
    parseStructure: storedStructure,
  });
  const actor = async (name: string) =>
    mailbox.actorFor(
      (await directory.addAccount({ address: `${name}@example.test`, password: `pw-${name}-123456` })).id,
    );
  const [alice, bob, carol] = [await actor('alice'), await actor('bob'), await actor('carol')];
  return {
    mailbox,
    directory,
    alice,
    bob,
    carol,
    async deliver(to, text, opts = {}) {
      const blob = await blobs.put(Buffer.from(text));
      const r = await mailbox.deliver({
        accountId: to.accountId,
        folder: opts.folder,
        blob,
        prefix: Buffer.from(opts.prefix ?? `Delivered-To: ${to.address}\r\n`),
        dedupeKey: opts.key ?? `k${++keys}`,
        flags: opts.flags,
      });
      return r.uid;
    },
  };
}
