import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initDataDir } from '../../src/cli/init.js';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { GTUBE, mail, TEST_RULES } from './scan-fixture.js';

describe('mailstead spam check / lint / learn', () => {
  const { dir, cleanup } = tempDir();
  const msgFile = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  before(async () => {
    await initDataDir(dir, { hostname: 'mail.example.test' });
    // the first command makes DATA/spam/local.cf; add the test rules beside it, and a broken line
    await cli(dir, 'spam', 'lint');
    writeFileSync(
      join(dir, 'spam', 'test.cf'),
      `${TEST_RULES}\nbody BROKEN_RULE /unclosed(/\nscore BROKEN_RULE 1\n`,
    );
  });
  after(() => cleanup());

  it('always detects GTUBE and prints the report', async () => {
    const r = await cli(dir, 'spam', 'check', msgFile('gtube.eml', mail('t', `${GTUBE}\n`)));
    assert.equal(r.code, 1, 'exit 1 for spam');
    assert.match(r.out, /^X-Spam-Status: Yes, score=1000\.0/m);
    assert.match(r.out, /1000\.0 GTUBE\s+Generic Test for Unsolicited Bulk Email/);
  });

  it('scores with the local rules; exit 0 for ham', async () => {
    const r = await cli(dir, 'spam', 'check', msgFile('pills.eml', mail('t', 'cheap pills\n')), '--json');
    assert.equal(r.code, 1);
    assert.deepEqual(
      JSON.parse(r.out).hits.map((h: { name: string }) => h.name),
      ['MS_TEST_PILLS'],
    );
    assert.equal((await cli(dir, 'spam', 'check', msgFile('ham.eml', mail('t', 'lunch?\n')))).code, 0);
  });

  it('lint names the file and line of an error', async () => {
    const r = await cli(dir, 'spam', 'lint');
    assert.equal(r.code, 1);
    assert.match(r.out, /spam\/test\.cf:11: error: BROKEN_RULE: regex not supported/);
  });

  it('learns into the global database once, and flips on relearning', async () => {
    const f = msgFile('learn.eml', mail('t', 'cheap watches\n', { 'Message-ID': '<learn-1@x>' }));
    assert.equal((await cli(dir, 'spam', 'learn', '--spam', '--global', f)).out, 'learned');
    assert.match((await cli(dir, 'spam', 'learn', '--spam', '--global', f)).out, /already learned/);
    assert.match((await cli(dir, 'spam', 'learn', '--ham', '--global', f)).out, /moved over/);
    const s = await cli(dir, 'spam', 'status', '--json');
    assert.deepEqual(
      JSON.parse(s.out).map((r: { database: string; spam: number; ham: number }) => [
        r.database,
        r.spam,
        r.ham,
      ]),
      [['global', 0, 1]],
    );
  });
});
