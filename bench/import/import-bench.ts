// Import speed in messages/second from an mbox file and from Dovecot over IMAP (loopback), into
// a fresh SQLite data dir. Usage:
//   node dist/bench/import/import-bench.js [COUNT] [SIZE_BYTES]      (default 5000 messages of ~4 KB)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { openApp, type App } from '../../src/app.js';
import { initDataDir } from '../../src/cli/init.js';
import { ImapSource } from '../../src/ops/import/imap-source.js';
import type { ImportSource } from '../../src/ops/import/import-message.js';
import { runImport } from '../../src/ops/import/importer.js';
import { MboxSource } from '../../src/ops/import/mbox-source.js';
import { DOVECOT_PASSWORD, startDovecot, type Dovecot } from '../../test/import/dovecot.js';
import { tempDir } from '../../test/support/tmp.js';

const count = Number(process.argv[2] ?? 5000);
const size = Number(process.argv[3] ?? 4096);

function message(i: number): string {
  const head = `From: Sender ${i} <s${i}@example.org>\r\nTo: user@example.test\r\nSubject: message ${i}\r\nMessage-ID: <bench-${i}@example.org>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n`;
  const line = `line of message ${i} with some words to index for search `.padEnd(76, '.') + '\r\n';
  return head + line.repeat(Math.max(1, Math.round((size - head.length) / line.length)));
}

async function freshApp(): Promise<{ app: App; cleanup: () => void }> {
  const { dir, cleanup } = tempDir('mailstead-import-bench-');
  await initDataDir(join(dir, 'data'), { hostname: 'mail.example.test' });
  const app = await openApp(join(dir, 'data'));
  await app.directory.addAccount({ address: 'user@example.test', password: 'bench-password-1' });
  return { app, cleanup: () => cleanup() };
}

async function measure(name: string, source: () => ImportSource): Promise<void> {
  const { app, cleanup } = await freshApp();
  try {
    const cpu = process.cpuUsage();
    const r = await runImport(app, 'user@example.test', source());
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const again = await runImport(app, 'user@example.test', source());
    console.log(
      [
        name.padEnd(26),
        `${r.imported} msgs`.padStart(11),
        `${(r.ms / 1000).toFixed(2)} s`.padStart(9),
        `${Math.round((r.imported * 1000) / r.ms)} msg/s`.padStart(11),
        `CPU ${(cpuMs / r.imported).toFixed(2)} ms/msg (${Math.round((r.imported * 1000) / cpuMs)} msg per CPU-s)`,
        `  re-run: ${again.imported} imported, ${again.skipped} skipped in ${(again.ms / 1000).toFixed(2)} s`,
      ].join(' '),
    );
  } finally {
    await app.close();
    cleanup();
  }
}

/**
 * The reference: Dovecot's own `doveadm import` of the same mbox into a Maildir (its default
 * fsync policy, no full-text index). doveadm runs as the mail user, so the file is copied where
 * that user can read it.
 */
function referenceImport(dovecot: Dovecot, mbox: string): void {
  const dir = join(dovecot.home('reference'), '..', 'reference-source');
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  copyFileSync(mbox, join(dir, 'inbox'));
  chmodSync(join(dir, 'inbox'), 0o644);
  const started = performance.now();
  const doveadm = (...args: string[]) =>
    execFileSync('doveadm', ['-c', dovecot.conf, ...args], { encoding: 'utf8' });
  doveadm('import', '-u', 'reference', '-s', `mbox:${dir}:INBOX=${dir}/inbox`, '', 'all');
  const ms = performance.now() - started;
  const stored = Number(
    /messages=(\d+)/.exec(doveadm('mailbox', 'status', '-u', 'reference', 'messages', 'INBOX'))![1],
  );
  if (stored !== count) throw new Error(`doveadm import stored ${stored} of ${count}`);
  console.log(
    `${'doveadm import (reference)'.padEnd(26)} ${`${stored} msgs`.padStart(11)} ${`${(ms / 1000).toFixed(2)} s`.padStart(9)} ${`${Math.round((stored * 1000) / ms)} msg/s`.padStart(11)} (Dovecot mbox -> Maildir)`,
  );
}

const work = tempDir('mailstead-import-bench-src-');
const dovecot = await startDovecot('maildir:~/Maildir');
try {
  const mbox = join(work.dir, 'inbox');
  writeFileSync(
    mbox,
    Array.from(
      { length: count },
      (_, i) => `From s${i}@example.org Mon Jan  1 10:00:00 2024\n${message(i).replaceAll('\r\n', '\n')}\n`,
    ).join(''),
  );
  console.log(`${count} messages of ~${size} bytes, SQLite store, one account`);
  await measure('mbox', () => new MboxSource([mbox]));
  referenceImport(dovecot, mbox);

  const client = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    auth: { user: 'bench', pass: DOVECOT_PASSWORD },
    logger: false,
  });
  await client.connect();
  for (let i = 0; i < count; i++)
    await client.append(
      'INBOX',
      Buffer.from(message(i)),
      ['\\Seen'],
      new Date(Date.UTC(2023, 0, 1) + i * 60_000),
    );
  await client.logout();
  await measure(
    'imap (Dovecot, loopback)',
    () =>
      new ImapSource({
        host: '127.0.0.1',
        port: dovecot.port,
        tls: false,
        login: 'bench',
        password: DOVECOT_PASSWORD,
      }),
  );
} finally {
  await dovecot.stop();
  work.cleanup();
}
