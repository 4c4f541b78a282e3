import type { App } from '../../src/app.js';
import type { TestServer } from '../support/server.js';
import type { FixtureMessage } from './dovecot.js';

/** What the account holds, in the fixture's terms, ordered by folder then UID. */
export async function importedView(app: App, address: string): Promise<FixtureMessage[]> {
  const account = (await app.directory.getAccount(address))!;
  const actor = await app.mailbox.actorFor(account.id);
  const out: FixtureMessage[] = [];
  for (const f of (await app.mailbox.folders.list(actor)).sort((a, b) => a.name.localeCompare(b.name))) {
    const status = await app.mailbox.folders.status(actor, f.name);
    if (!status.messages) continue;
    for (const m of await app.mailbox.messages.fetch(actor, f.name, [[1, 0xffffffff]])) {
      const raw = (await app.mailbox.messages.read(actor, f.name, m.uid)).toString('latin1');
      out.push({ folder: f.name, raw, flags: [...m.flags].sort(), internalDate: new Date(m.internalDate) });
    }
  }
  return out;
}

/** The fixture as the import should leave it: by folder, then by internal date, flags sorted. */
export const expectedView = (messages: FixtureMessage[]) =>
  [...messages]
    .sort((a, b) => a.folder.localeCompare(b.folder) || a.internalDate.getTime() - b.internalDate.getTime())
    .map((m) => ({ ...m, flags: [...m.flags].sort() }));

let accounts = 0;
/** A fresh account to import into, so tests on one server do not see each other's mail. */
export async function newAccount(server: TestServer): Promise<string> {
  const address = `user${++accounts}@example.test`;
  await server.app.directory.addAccount({ address, password: 'import-test-pw-1' });
  return address;
}
