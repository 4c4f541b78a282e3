import type { App } from '../../src/app.js';

export const ALICE = { address: 'alice@example.test', password: 'alice-secret-1' };
export const BOB = { address: 'bob@example.test', password: 'bob-secret-22' };
export const msg = (i: number, folder: string) =>
  Buffer.from(
    `From: s${i}@example.org\r\nTo: ${ALICE.address}\r\nSubject: ${folder} ${i}\r\nMessage-ID: <${folder}-${i}@example.org>\r\n\r\nbody ${i} of ${folder}\r\n`,
  );

/** Two accounts with folders, flags, a UID gap, a shared folder, a Sieve script and a DKIM key. */
export async function populate(app: App): Promise<void> {
  if (!(await app.directory.isLocalDomain('example.test')))
    await app.directory.addDomain({ name: 'example.test' });
  const alice = await app.directory.addAccount(ALICE);
  const bob = await app.directory.addAccount(BOB);
  for (const a of [alice, bob]) await app.mailbox.folders.ensureDefaults(a.id);
  const actor = await app.mailbox.actorFor(alice.id);
  await app.mailbox.folders.create(actor, 'Work');
  await app.mailbox.folders.create(actor, 'Work/Projects');
  await app.mailbox.folders.create(actor, 'Live');
  const flags = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['\\Answered', '$Label1'], ['\\Draft']];
  for (let i = 0; i < 10; i++) {
    const folder = ['INBOX', 'Work', 'Work/Projects'][i % 3]!;
    await app.mailbox.messages.append(actor, folder, {
      data: msg(i, folder),
      flags: flags[i % flags.length]!,
      internalDate: Date.UTC(2020, 0, 1 + i),
    });
  }
  // A gap in the UIDs, which a restore must not close.
  await app.mailbox.messages.storeFlags(actor, 'INBOX', [[2, 2]], { op: 'add', flags: ['\\Deleted'] });
  await app.mailbox.messages.expunge(actor, 'INBOX', [[2, 2]]);
  await app.mailbox.acl.set(actor, 'Work', BOB.address, 'lrs');
  await app.sieve.putScript(
    alice.id,
    'main',
    'require "fileinto";\nif header :contains "subject" "Work" { fileinto "Work"; }\n',
  );
  await app.sieve.activate(alice.id, 'main');
  await app.dkim.generate('example.test', { selector: 's1' });
}
