/**
 * Runs the corpus in testdata/ through Dovecot Pigeonhole's sieve-test and through this engine and
 * asserts both decide the same actions. Each NN-name.sieve names its message in a "# message:"
 * comment, and may set "# envelope-from:" / "# envelope-to:".
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SieveAction } from './actions.js';
import { runSieve } from './interpreter.js';
import { messageContextFromRaw } from './message.js';

const TESTDATA = fileURLToPath(new URL('../../../src/sieve/testdata/', import.meta.url));
const SIEVE_TEST = '/usr/bin/sieve-test';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const work = mkdtempSync(join(tmpdir(), 'pigeonhole-'));
// sieve-test refuses to run as root; it runs as nobody, which must be able to write its binaries here.
chmodSync(work, 0o777);
after(() => rmSync(work, { recursive: true, force: true }));

function sieveTest(args: string[], home: string) {
  const all = ['-x', '+editheader +vacation-seconds', ...args];
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
 * Without -e sieve-test lists the actions but skips the checks vacation makes when it executes
 * (auto-submitted, mailing lists); those only show in a second, executing run.
 */
function vacationDiscarded(script: string, message: string, from: string, to: string): boolean {
  const home = mkdtempSync(join(work, 'home-'));
  chmodSync(home, 0o777);
  const r = sieveTest(['-e', '-l', `maildir:${home}/mail`, '-f', from, '-r', to, script, message], home);
  return /(discarding|not sending) vacation response/.test(r.stderr);
}

function pigeonhole(script: string, message: string, from: string, to: string): string[] {
  const r = sieveTest(['-f', from, '-r', to, script, message], work);
  if (/final result: failed/.test(r.stderr)) return ['store:INBOX'];
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*\* (.*)$/.exec(line);
    if (!m) continue;
    const what = m[1]!;
    let x: RegExpExecArray | null;
    if ((x = /^store message in folder: (.*)$/.exec(what))) out.push(`store:${x[1]}`);
    else if ((x = /^redirect message to: <?([^>]*)>?$/.exec(what))) out.push(`redirect:${x[1]}`);
    else if (/^reject message/.test(what)) out.push('reject');
    else if (/^send vacation message/.test(what)) {
      if (!vacationDiscarded(script, message, from, to)) out.push('vacation');
    } else if (what === 'discard') out.push('discard');
    else out.push(`? ${what}`);
  }
  return out.sort();
}

function ours(actions: SieveAction[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.type === 'keep') out.push('store:INBOX');
    else if (a.type === 'fileinto') out.push(`store:${a.mailbox}`);
    else if (a.type === 'redirect') out.push(`redirect:${a.address}`);
    else if (a.type === 'reject' || a.type === 'vacation' || a.type === 'discard') out.push(a.type);
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
    const ctx = messageContextFromRaw(readFileSync(eml), { from, to });
    const result = runSieve(source, ctx);
    assert.deepEqual(ours(result.actions), expected, `${name}: ours ${JSON.stringify(result)}`);
  });
}
