import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { tempDir } from '../support/tmp.js';

export const DOVECOT_PASSWORD = 'dovecot-secret';

/** A message as the tests put it into Dovecot and expect it back from an import. */
export interface FixtureMessage {
  folder: string;
  raw: string;
  flags: string[];
  internalDate: Date;
}

export interface Dovecot {
  port: number;
  /** Its config file, for doveadm. */
  conf: string;
  /** The user's home: Maildir or mbox files below it. */
  home(user: string): string;
  client(user: string): ImapFlow;
  /** Stops Dovecot and waits for it to exit before removing its directory (it hangs on a vanished base_dir). */
  stop(): Promise<void>;
}

/** SIGTERM to the daemon whose pid file this is, then waits (up to 5 s) for it to exit. */
export async function stopDaemon(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A virtual folder (Dovecot's virtual plugin): the messages of every folder, those under the
 * unlisted `Archived/` too, that match `search`.
 */
export interface VirtualFolder {
  specialUse: string;
  /** A Dovecot search query (`all`, `flagged`, `seen`). */
  search: string;
}

/**
 * Dovecot (Debian's dovecot-imapd) on loopback with a throw-away config: any user, one password,
 * `mailLocation` as given (maildir:~/Maildir, maildir:~/Maildir:LAYOUT=fs, mbox:~/mail:INBOX=~/mail/inbox),
 * `specialUse` giving folders their RFC 6154 attribute (`{ Gesendet: '\\Sent' }`), `virtual`
 * folders under `[Gmail]/` as Gmail shows its All Mail, Starred and Important. Folders under
 * `Archived/` are left out of LIST, like Gmail's archived mail that only All Mail shows.
 */
export async function startDovecot(
  mailLocation: string,
  specialUse: Record<string, string> = {},
  virtual: Record<string, VirtualFolder> = {},
): Promise<Dovecot> {
  const { dir, cleanup } = tempDir('mailstead-dovecot-');
  chmodSync(dir, 0o755);
  const port = await freePort();
  // Dovecot refuses mail access as root; nobody can write the world-writable home dir.
  const uid = process.getuid?.() === 0 ? 65534 : (process.getuid?.() ?? 65534);
  const gid = process.getgid?.() === 0 ? 65534 : (process.getgid?.() ?? 65534);
  mkdirSync(join(dir, 'home'), { mode: 0o777 });
  chmodSync(join(dir, 'home'), 0o777);
  const conf = join(dir, 'dovecot.conf');
  for (const [name, v] of Object.entries(virtual)) {
    mkdirSync(join(dir, 'virtual', name), { recursive: true });
    writeFileSync(join(dir, 'virtual', name, 'dovecot-virtual'), `*\nArchived/*\n  ${v.search}\n`);
  }
  const virtualNamespace = Object.keys(virtual).length
    ? `mail_plugins = $mail_plugins virtual
namespace archived {
  prefix = Archived/
  separator = /
  location = maildir:~/Archived
  list = no
  hidden = yes
}
namespace virtual {
  prefix = [Gmail]/
  separator = /
  location = virtual:${dir}/virtual:INDEX=~/virtual
${Object.entries(virtual)
  .map(([name, v]) => `  mailbox "${name}" {\n    special_use = ${v.specialUse}\n  }\n`)
  .join('')}}
`
    : '';
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
first_valid_uid = 1
first_valid_gid = 1
mail_location = ${mailLocation}
namespace inbox {
  inbox = yes
  separator = /
${Object.entries(specialUse)
  .map(([name, use]) => `  mailbox "${name}" {\n    special_use = ${use}\n  }\n`)
  .join('')}}
${virtualNamespace}passdb {
  driver = static
  args = password=${DOVECOT_PASSWORD}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  execFileSync('dovecot', ['-c', conf], { stdio: 'ignore' });
  const pidFile = join(dir, 'run', 'master.pid');
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    port,
    conf,
    home: (user) => join(dir, 'home', user),
    client: (user) =>
      new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        auth: { user, pass: DOVECOT_PASSWORD },
        logger: false,
      }),
    async stop() {
      await stopDaemon(pidFile);
      cleanup();
    },
  };
}

/** Appends the messages over IMAP (so the server writes its own files), creating folders first. */
export async function fillDovecot(
  d: { client(user: string): ImapFlow },
  user: string,
  messages: readonly FixtureMessage[],
): Promise<void> {
  const c = d.client(user);
  await c.connect();
  try {
    for (const f of new Set(messages.map((m) => m.folder)))
      if (f !== 'INBOX') await c.mailboxCreate(f).catch(() => undefined);
    for (const m of messages) await c.append(m.folder, Buffer.from(m.raw), m.flags, m.internalDate);
  } finally {
    await c.logout();
  }
}

/** Ten messages over INBOX, Work and Work/Projects, with system flags, a keyword and a `From ` line in a body. */
export function fixtureMessages(): FixtureMessage[] {
  const flagSets = [
    [],
    ['\\Seen'],
    ['\\Seen', '\\Flagged'],
    ['\\Answered', '$Label1'],
    ['\\Draft'],
    ['\\Seen', '\\Answered'],
  ];
  return Array.from({ length: 10 }, (_, i) => {
    const folder = ['INBOX', 'Work', 'Work/Projects'][i % 3]!;
    const body =
      i === 4 ? 'Quoted below:\r\n\r\nFrom the desk of nobody\r\n>From a quoted line\r\n' : `body ${i}\r\n`;
    return {
      folder,
      raw: `From: s${i}@example.org\r\nTo: alice@example.test\r\nSubject: ${folder} ${i}\r\nMessage-ID: <m${i}@example.org>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n${body}`,
      flags: flagSets[i % flagSets.length]!,
      internalDate: new Date(Date.UTC(2023, i, 1 + i, 8, 30, 0)),
    };
  });
}

/** Folders whose names a server has to encode: a dot, a space and a non-ASCII letter. */
export function namedFolderMessages(): FixtureMessage[] {
  return ['v1.2', 'Café Notes'].map((folder, i) => ({
    folder,
    raw: `From: n${i}@example.org\r\nTo: alice@example.test\r\nSubject: named ${i}\r\nMessage-ID: <n${i}@example.org>\r\n\r\nnamed folder ${i}\r\n`,
    flags: ['\\Seen'],
    internalDate: new Date(Date.UTC(2022, 6 + i, 9, 12, 0, 0)),
  }));
}
