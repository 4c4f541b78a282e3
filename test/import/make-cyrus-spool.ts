// Writes the Cyrus spool the import tests read (test/import/testdata/cyrus-3.6.1-alice): starts
// Debian's cyrus-imapd on loopback, APPENDs the import fixture's messages over IMAP, expunges one
// more (delayed expunge leaves its file), and copies user alice's spool to DEST. cyrus-imapd
// conflicts with dovecot-imapd in Debian, so the tests cannot run Cyrus next to Dovecot: the
// spool Cyrus wrote is kept in the repository instead.
//   node dist/test/import/make-cyrus-spool.js DEST       (needs cyrus-imapd and sasl2-bin)
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { tempDir } from '../support/tmp.js';
import { fillDovecot, fixtureMessages, freePort, stopDaemon } from './dovecot.js';

const CYRUS_BIN = '/usr/lib/cyrus/bin';
const CYRUS_PASSWORD = 'cyrus-secret';

interface Cyrus {
  port: number;
  /** A user's folder tree in the spool (legacy directory names: user/NAME/Sub). */
  spool(user: string): string;
  client(user: string): ImapFlow;
  stop(): Promise<void>;
}

/**
 * Cyrus IMAP (Debian's cyrus-imapd) on loopback with a throw-away config, so the tests read a
 * spool and cyrus.index files Cyrus wrote itself. Passwords from a sasldb (sasl2-bin's
 * saslpasswd2); `cyrus` is the admin that creates the users' mailboxes; folders sit at the top
 * level (altnamespace) with `/` as separator and legacy directory names.
 */
async function startCyrus(users: readonly string[]): Promise<Cyrus> {
  if (!existsSync(join(CYRUS_BIN, 'master')))
    throw new Error(`${CYRUS_BIN}/master is missing: install cyrus-imapd and sasl2-bin (see .ci/run)`);
  const { dir, cleanup } = tempDir('mailstead-cyrus-');
  chmodSync(dir, 0o755);
  const port = await freePort();
  for (const d of ['conf', 'spool', 'run']) mkdirSync(join(dir, d));
  const conf = join(dir, 'imapd.conf');
  writeFileSync(
    conf,
    `configdirectory: ${dir}/conf
defaultpartition: default
partition-default: ${dir}/spool
mailbox_legacy_dirs: yes
admins: cyrus
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: ${dir}/sasldb2
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
unixhierarchysep: yes
altnamespace: yes
idlesocket: ${dir}/run/idle
lmtpsocket: ${dir}/run/lmtp
notifysocket: ${dir}/run/notify
proc_path: ${dir}/run/proc
mboxname_lockpath: ${dir}/run/lock
`,
  );
  writeFileSync(
    join(dir, 'cyrus.conf'),
    `START {
  recover cmd="ctl_cyrusdb -C ${conf} -r"
}
SERVICES {
  imap cmd="imapd -C ${conf}" listen="127.0.0.1:${port}" prefork=0
}
EVENTS {
}
`,
  );
  for (const u of ['cyrus', ...users])
    execFileSync('saslpasswd2', ['-p', '-c', '-f', join(dir, 'sasldb2'), u], { input: CYRUS_PASSWORD });
  // Run as root, master drops to the cyrus user, which must own its files.
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'cyrus:mail', dir]);
  const pidFile = join(dir, 'run', 'master.pid');
  execFileSync(join(CYRUS_BIN, 'master'), ['-C', conf, '-M', join(dir, 'cyrus.conf'), '-p', pidFile, '-d']);
  const client = (user: string) =>
    new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: CYRUS_PASSWORD },
      logger: false,
    });
  let admin: ImapFlow;
  // master listens once its START commands are done.
  for (let i = 0; ; i++) {
    admin = client('cyrus');
    try {
      await admin.connect();
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const u of users) await admin.mailboxCreate(`user/${u}`);
  await admin.logout();
  return {
    port,
    spool: (user) => join(dir, 'spool', 'user', user),
    client,
    async stop() {
      await stopDaemon(pidFile);
      cleanup();
    },
  };
}

const dest = process.argv[2];
if (!dest) throw new Error('usage: make-cyrus-spool.js DEST');
const cyrus = await startCyrus(['alice']);
try {
  await fillDovecot(cyrus, 'alice', fixtureMessages());
  const c = cyrus.client('alice');
  await c.connect();
  await c.append('Work', Buffer.from('Subject: expunged\r\n\r\ngone\r\n'), ['\\Deleted']);
  await c.mailboxOpen('Work');
  await c.messageDelete({ deleted: true });
  await c.logout();
  execFileSync('cp', ['-r', cyrus.spool('alice'), dest]);
} finally {
  await cyrus.stop();
}
