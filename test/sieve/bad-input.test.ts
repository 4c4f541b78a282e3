import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SieveRepo } from '../../src/store/sieve/sieve-repo.js';
import { message, sendMail, sieveFixture, waitFor, type SieveFixture } from './sieve-fixture.js';

const GINA = 'gina@example.test';

/** Scripts and messages built to hurt: every delivery still ends in INBOX (implicit keep), promptly. */
describe('bad scripts and bad messages never lose mail', () => {
  let f: SieveFixture;
  let n = 0;
  before(async () => {
    f = await sieveFixture([GINA], { 'sieve.max_steps': '200000' });
  });
  after(() => f.close());

  /** Stores the script as is (bypassing validation, as if stored by an older version) and delivers one message. */
  async function deliverThrough(
    script: string,
    msg = message({ From: 'x@example.org', To: GINA, Subject: 'test' }),
  ): Promise<string> {
    const id = f.ids.get(GINA)!;
    const repo = new SieveRepo(f.server.app.store.db);
    await repo.put(id, 'hostile', script, Date.now());
    await repo.setActive(id, 'hostile');
    const started = Date.now();
    await sendMail(f, 'x@example.org', [GINA], msg);
    const inbox = await waitFor(f, GINA, 'INBOX', ++n);
    assert.ok(Date.now() - started < 10_000);
    return inbox[n - 1]!.raw;
  }

  test('deep nesting', async () => {
    const deep = `${'if true { '.repeat(5000)}discard;${' }'.repeat(5000)}`;
    await deliverThrough(deep);
    const tests = `if ${'not '.repeat(20000)}true { discard; }`;
    await deliverThrough(tests);
  });

  test('huge strings and huge headers exhaust the step budget, not the server', async () => {
    const big = 'a'.repeat(1 << 20);
    await deliverThrough(`if header :contains "subject" "${big}" { discard; }`);
    const subject = 'ab'.repeat(200_000);
    await deliverThrough(
      'if header :matches "subject" "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c" { discard; }',
      message({ From: 'x@example.org', To: GINA, Subject: subject }),
    );
  });

  test('a regex that backtracks catastrophically elsewhere runs in linear time here', async () => {
    const raw = await deliverThrough(
      'require "regex";\nif header :regex "subject" "^(a+)+$" { discard; }',
      message({ From: 'x@example.org', To: GINA, Subject: `${'a'.repeat(5000)}!` }),
    );
    assert.match(raw, /Subject: a{10}/);
  });

  test('invalid UTF-8 in the message and in the script', async () => {
    const msg = Buffer.concat([
      Buffer.from(`From: x@example.org\r\nTo: ${GINA}\r\nSubject: `),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('\r\n\r\nbody \xff\r\n', 'latin1'),
    ]).toString('latin1');
    const raw = await deliverThrough(
      'require "fileinto";\nif header :contains "subject" ["\uFFFD", "("] { fileinto "INBOX"; }',
      msg,
    );
    assert.match(raw, /Subject: \S*\(/);
    await deliverThrough('require "fileinto"; fileinto "\uD800bad";');
  });

  test('runtime failures: redirect loops past the limit, a missing include, a missing folder', async () => {
    const redirects = Array.from({ length: 10 }, (_, i) => `redirect "r${i}@example.org";`).join('\n');
    await deliverThrough(redirects);
    await deliverThrough('require "include"; include "nowhere";');
    await deliverThrough('require "fileinto"; fileinto "Does/Not/Exist";');
  });
});
