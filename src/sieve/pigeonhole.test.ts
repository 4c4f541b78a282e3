/**
 * Runs the corpus in testdata/ through Dovecot Pigeonhole's sieve-test and through this engine and
 * asserts both decide the same actions. Each NN-name.sieve names its message in a "# message:"
 * comment, and may set "# envelope-from:" / "# envelope-to:".
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SieveAction } from './actions.js';
import { runSieve } from './interpreter.js';
import { messageContextFromRaw } from './message.js';
import { parseMailto } from './notify-method.js';

const TESTDATA = fileURLToPath(new URL('../../../src/sieve/testdata/', import.meta.url));
const SIEVE_TEST = '/usr/bin/sieve-test';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const work = mkdtempSync(join(tmpdir(), 'pigeonhole-'));
// sieve-test refuses to run as root; it runs as nobody, which must be able to write its binaries here.
chmodSync(work, 0o777);
after(() => rmSync(work, { recursive: true, force: true }));

/**
 * Pigeonhole's spamtest reads the same X-Spam-Status field ours does (score over required), and
 * its virustest an X-Virus-Verdict field that the test hands our engine as the scan result.
 */
const CONFIG = join(work, 'dovecot.conf');
writeFileSync(
  CONFIG,
  `mail_location = maildir:${work}/mail
plugin {
  sieve_extensions = +editheader +vacation-seconds +spamtest +spamtestplus +virustest +mime +foreverypart +extracttext
  sieve_spamtest_status_type = score
  sieve_spamtest_status_header = X-Spam-Status: [[:alpha:]]+, score=(-?[[:digit:]]+\\.?[[:digit:]]*)
  sieve_spamtest_max_header = X-Spam-Status: [[:alpha:]]+, score=-?[[:digit:]]+\\.?[[:digit:]]* required=([[:digit:]]+\\.?[[:digit:]]*)
  sieve_virustest_status_type = score
  sieve_virustest_status_header = X-Virus-Verdict
  sieve_virustest_max_value = 5
}
`,
);
chmodSync(CONFIG, 0o644);

function sieveTest(args: string[], home: string) {
  const all = ['-c', CONFIG, ...args];
  const r =
    process.getuid?.() === 0
      ? spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `HOME=${home}`, SIEVE_TEST, ...all],
          { encoding: 'utf8' },
        )
      : spawnSync(SIEVE_TEST, all, { encoding: 'utf8', env: { ...process.env, HOME: home } });
  if (r.status === 89 || r.error) throw new Error(`sieve-test failed: ${r.stderr || r.error?.message}`);
  return r;
}

/**
 * Without -e sieve-test lists the actions but skips the checks vacation and notify make when they
 * execute (auto-submitted mail, mailing lists); those only show in a second, executing run.
 */
function executedLog(script: string, message: string, from: string, to: string): string {
  const home = mkdtempSync(join(work, 'home-'));
  chmodSync(home, 0o777);
  return sieveTest(['-e', '-l', `maildir:${home}/mail`, '-f', from, '-r', to, script, message], home).stderr;
}

function pigeonhole(script: string, message: string, from: string, to: string): string[] {
  const r = sieveTest(['-f', from, '-r', to, script, message], work);
  if (/final result: failed/.test(r.stderr)) return ['store:INBOX'];
  const out: string[] = [];
  let log: string | undefined;
  const executed = () => (log ??= executedLog(script, message, from, to));
  let notify: string[] | undefined;
  const flushNotify = () => {
    if (notify && !/not sending notification/.test(executed())) out.push(`notify:${notify.sort().join(',')}`);
    notify = undefined;
  };
  for (const line of r.stdout.split('\n')) {
    const rcpt = /^\s*\+ (?:To|Cc): (.*)$/.exec(line);
    if (rcpt && notify) notify.push(rcpt[1]!.trim());
    const m = /^\s*\* (.*)$/.exec(line);
    if (!m) continue;
    flushNotify();
    const what = m[1]!;
    let x: RegExpExecArray | null;
    if ((x = /^store message in folder: (.*)$/.exec(what))) out.push(`store:${x[1]}`);
    else if ((x = /^redirect message to: <?([^>]*)>?$/.exec(what))) out.push(`redirect:${x[1]}`);
    else if (/^reject message/.test(what)) out.push('reject');
    else if (/^send vacation message/.test(what)) {
      if (!/(discarding|not sending) vacation response/.test(executed())) out.push('vacation');
    } else if (what === 'discard') out.push('discard');
    else if (/^send notification with method 'mailto:'/.test(what)) notify = [];
    else out.push(`? ${what}`);
  }
  flushNotify();
  return out.sort();
}

function ours(actions: SieveAction[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.type === 'keep') out.push('store:INBOX');
    else if (a.type === 'fileinto') out.push(`store:${a.mailbox}`);
    else if (a.type === 'redirect') out.push(`redirect:${a.address}`);
    else if (a.type === 'reject' || a.type === 'vacation' || a.type === 'discard') out.push(a.type);
    else if (a.type === 'notify') out.push(`notify:${parseMailto(a.method).recipients.sort().join(',')}`);
  }
  return out.sort();
}

const cases = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.sieve'))
  .sort();

test('the corpus is big enough', () => {
  assert.ok(cases.length >= 30, `${cases.length} cases`);
});

test('sieve-test (Dovecot Pigeonhole) is installed', () => {
  assert.ok(
    which(SIEVE_TEST),
    'sieve-test not found: apt-get install dovecot-sieve dovecot-core (CI installs it); the Pigeonhole comparison cannot run',
  );
});

for (const name of cases) {
  test(`same actions as Pigeonhole: ${name}`, () => {
    assert.ok(which(SIEVE_TEST), 'sieve-test not found: apt-get install dovecot-sieve dovecot-core');
    const source = readFileSync(join(TESTDATA, name), 'utf8');
    const meta = (key: string) => new RegExp(`^# ${key}: (.*)$`, 'm').exec(source)?.[1]?.trim();
    const message = meta('message')!;
    const from = meta('envelope-from') ?? 'joe@example.com';
    const to = meta('envelope-to') ?? 'user@example.org';
    const script = join(work, name);
    const eml = join(work, message);
    copyFileSync(join(TESTDATA, name), script);
    copyFileSync(join(TESTDATA, message), eml);
    chmodSync(script, 0o644);
    chmodSync(eml, 0o644);
    const expected = pigeonhole(script, eml, from, to);
    const raw = readFileSync(eml);
    const verdict = /^X-Virus-Verdict: (\d)/m.exec(raw.toString('latin1'))?.[1];
    const ctx = messageContextFromRaw(raw, { from, to }, verdict ? { virusVerdict: Number(verdict) } : {});
    const result = runSieve(source, ctx);
    assert.deepEqual(ours(result.actions), expected, `${name}: ours ${JSON.stringify(result)}`);
  });
}
