// Writes the Cyrus spools the import tests read: starts Debian's cyrus-imapd on loopback, APPENDs
// the import fixture's messages over IMAP, expunges one more (delayed expunge leaves its file),
// and copies the spool to DEST. cyrus-imapd conflicts with dovecot-imapd in Debian, so the tests
// cannot run Cyrus next to Dovecot: the spools Cyrus wrote are kept in the repository instead.
//   node dist/test/import/make-cyrus-spool.js DEST [--layout legacy|uuid] [--imapd PATH]
// legacy (test/import/testdata/cyrus-3.6.1-alice): `mailbox_legacy_dirs: yes`, user alice's
// folder tree is copied. uuid (test/import/testdata/cyrus-3.6.1-uuid): Cyrus 3's default, each
// folder in uuid/X/Y/MAILBOXID; the whole partition is copied, with user bob's mail beside alice's
// and folders whose names need encoding (namedFolderMessages). Needs cyrus-common and sasl2-bin;
// --imapd runs imapd from elsewhere, e.g. unpacked without installing it (it would remove
// dovecot-imapd): `apt-get download cyrus-imapd && dpkg-deb -x cyrus-imapd_*.deb DIR`, then
// `--imapd DIR/usr/lib/cyrus/bin/imapd`.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import { tempDir } from '../support/tmp.js';
import { fillDovecot, fixtureMessages, freePort, namedFolderMessages, stopDaemon } from './dovecot.js';

const CYRUS_BIN = '/usr/lib/cyrus/bin';
const CYRUS_PASSWORD = 'cyrus-secret';

interface Cyrus {
  port: number;
  /** The partition. */
  spool: string;
  client(user: string): ImapFlow;
  stop(): Promise<void>;
}

/**
 * Cyrus IMAP (Debian's cyrus-imapd) on loopback with a throw-away config, so the tests read a
 * spool and cyrus.index files Cyrus wrote itself. Passwords from a sasldb (sasl2-bin's
 * saslpasswd2); `cyrus` is the admin that creates the users' mailboxes; folders sit at the top
 * level (altnamespace) with `/` as separator.
 */
async function startCyrus(users: readonly string[], legacyDirs: boolean, imapd: string): Promise<Cyrus> {
  for (const bin of [join(CYRUS_BIN, 'master'), imapd])
    if (!existsSync(bin))
      throw new Error(`${bin} is missing: install cyrus-imapd and sasl2-bin (see .ci/run)`);
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
${legacyDirs ? 'mailbox_legacy_dirs: yes\n' : ''}admins: cyrus
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
  imap cmd="${imapd} -C ${conf}" listen="127.0.0.1:${port}" prefork=0
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
    spool: join(dir, 'spool'),
    client,
    async stop() {
      await stopDaemon(pidFile);
      cleanup();
    },
  };
}

const { values, positionals } = parseArgs({
  options: { layout: { type: 'string', default: 'legacy' }, imapd: { type: 'string' } },
  allowPositionals: true,
});
const dest = positionals[0];
if (!dest || !['legacy', 'uuid'].includes(values.layout))
  throw new Error('usage: make-cyrus-spool.js DEST [--layout legacy|uuid] [--imapd PATH]');
const legacy = values.layout === 'legacy';
const cyrus = await startCyrus(
  legacy ? ['alice'] : ['alice', 'bob'],
  legacy,
  values.imapd ?? join(CYRUS_BIN, 'imapd'),
);
try {
  await fillDovecot(cyrus, 'alice', [...fixtureMessages(), ...(legacy ? [] : namedFolderMessages())]);
  if (!legacy)
    await fillDovecot(cyrus, 'bob', [
      {
        folder: 'INBOX',
        raw: "Subject: for bob\r\n\r\nnot alice's\r\n",
        flags: [],
        internalDate: new Date(Date.UTC(2023, 3, 1)),
      },
    ]);
  const c = cyrus.client('alice');
  await c.connect();
  await c.append('Work', Buffer.from('Subject: expunged\r\n\r\ngone\r\n'), ['\\Deleted']);
  await c.mailboxOpen('Work');
  await c.messageDelete({ deleted: true });
  await c.logout();
  execFileSync('cp', ['-r', legacy ? join(cyrus.spool, 'user', 'alice') : cyrus.spool, dest]);
} finally {
  await cyrus.stop();
}
