// Memory of the server itself with SpamAssassin's stock rules: `mailstead serve` with
// spam.stock_rules on is sent the corpus sample over SMTP (python smtplib), every message scanned
// at the end of DATA; its resident memory is read from /proc after start-up, once the rules are
// ready, and at the end (VmHWM: the peak over its whole life).
// Run: npm run build && node dist/bench/spam/server-rss.js [messagesPerClass=200] [workers=1]
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { openApp } from '../../src/app.js';
import { loadCorpus, pick } from '../../src/scan/spam/corpus-fixture.js';
import { tempDir } from '../../test/support/tmp.js';
import { freePort, prepareDataDir, spawnServer, stopGracefully } from '../../test/queue/server-process.js';

const run = promisify(execFile);
const RCPT = 'rss@example.test';

// Sends each file in turn, one session per message (the server may close a session after
// refusing); 451 (rules still loading) is retried, other refusals are counted.
const SEND = `
import os, re, smtplib, sys, time
d, port, rcpt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = sorted(os.listdir(d))
refused = {}
waited = 0.0
for i, f in enumerate(files):
    # the corpus files end lines with LF; SMTP wants CRLF
    data = re.sub(rb'\\r?\\n', b'\\r\\n', open(os.path.join(d, f), 'rb').read())
    while True:
        try:
            with smtplib.SMTP('127.0.0.1', port) as s:
                s.sendmail('sender@outside.test', [rcpt], data)
            break
        except smtplib.SMTPResponseException as e:
            if e.smtp_code == 451:
                t = time.time(); time.sleep(0.2); waited += time.time() - t
                continue
            if not refused: print('first refusal: %d %s' % (e.smtp_code, e.smtp_error[:200]), flush=True)
            refused[e.smtp_code] = refused.get(e.smtp_code, 0) + 1
            break
        except smtplib.SMTPRecipientsRefused as e:
            refused['rcpt'] = refused.get('rcpt', 0) + 1
            break
    if i == 0:
        print('first message accepted after %.1f s of 451 replies' % waited, flush=True)
print('sent %d; refused by code: %s' % (len(files), refused))
`;

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

export async function main(perClass = Number(process.argv[2] ?? 200), workers = process.argv[3] ?? '1') {
  const sample = pick(loadCorpus().test, perClass);
  const { dir, cleanup } = tempDir('mailstead-spam-rss-');
  try {
    const port = await freePort();
    await prepareDataDir(dir, port, {
      'spam.stock_rules': 'yes',
      'spam.workers': workers,
      'spam.unready': 'tempfail',
      'smtp.max_message_size': '50M',
      // SPF/DKIM would wait on DNS lookups that cannot succeed here
      'authenticity.check': 'no',
    });
    const app = await openApp(dir);
    await app.directory.addAccount({ address: RCPT, password: 'pw-rss-123456' });
    await app.close();
    const msgDir = join(dir, 'sample');
    mkdirSync(msgDir);
    sample.forEach((m, i) => writeFileSync(join(msgDir, `${String(i).padStart(4, '0')}.eml`), m.raw));
    const t0 = performance.now();
    const child = await spawnServer(dir);
    try {
      const started = memory(child.pid!);
      console.log(
        `stock rules, spam.workers=${workers}: server running after ${((performance.now() - t0) / 1000).toFixed(1)} s, RSS ${started.rss.toFixed(0)} MB`,
      );
      const { stdout } = await run('python3', ['-c', SEND, msgDir, String(port), RCPT], {
        maxBuffer: 1 << 24,
      });
      const end = memory(child.pid!);
      console.log(stdout.trim());
      console.log(
        `${sample.length} messages scanned in ${((performance.now() - t0) / 1000).toFixed(1)} s since start; ` +
          `RSS now ${end.rss.toFixed(0)} MB, peak (VmHWM) ${end.hwm.toFixed(0)} MB`,
      );
    } finally {
      await stopGracefully(child);
    }
  } finally {
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
