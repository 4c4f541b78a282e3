import { createHash } from 'node:crypto';
import type { App } from '../../src/app.js';

export interface FolderView {
  uidvalidity: number;
  uidnext: number;
  messages: { uid: number; flags: string[]; internalDate: number; sha256: string }[];
  acl: { identifier: string; rights: string }[];
}

/** What an account sees over IMAP, plus what a restore must keep beside it (Sieve scripts, quota). */
export interface AccountView {
  folders: Record<string, FolderView>;
  sieve: { name: string; active: boolean; content: string }[];
  usedBytes: number;
}

export async function accountView(app: App, address: string): Promise<AccountView> {
  const account = (await app.directory.getAccount(address))!;
  const actor = await app.mailbox.actorFor(account.id);
  const folders: Record<string, FolderView> = {};
  for (const f of await app.mailbox.folders.list(actor)) {
    const snap = await app.mailbox.folders.select(actor, f.name);
    const metas = snap.uids.length ? await app.mailbox.messages.fetch(actor, f.name, [[1, 0xffffffff]]) : [];
    const messages = [];
    for (const m of metas) {
      const bytes = await app.mailbox.messages.read(actor, f.name, m.uid);
      messages.push({
        uid: m.uid,
        flags: [...m.flags].sort(),
        internalDate: m.internalDate,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    const acl = f.rights.includes('a') ? await app.mailbox.acl.get(actor, f.name) : [];
    folders[f.name] = {
      uidvalidity: snap.uidvalidity,
      uidnext: snap.uidnext,
      messages,
      acl: [...acl].sort((a, b) => a.identifier.localeCompare(b.identifier)),
    };
  }
  const sieve = [];
  for (const s of await app.sieve.listScripts(account.id))
    sieve.push({ name: s.name, active: s.active, content: await app.sieve.getScript(account.id, s.name) });
  return { folders, sieve, usedBytes: (await app.mailbox.quotaStatus(account.id)).usedBytes };
}
