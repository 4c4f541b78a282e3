import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpamResult } from './engine.js';
import { prepareMessage } from './message.js';
import { applyResult } from './report.js';
import { defaultSettings } from './types.js';

const raw = Buffer.from('From: a@b\nSubject: hello\nX-Spam-Flag: YES\n\nbody\n');
const result = (isSpam: boolean): SpamResult => ({
  score: isSpam ? 7.25 : 1,
  required: 5,
  isSpam,
  scoreSet: 0,
  autolearn: 'no',
  hits: Array.from({ length: 12 }, (_, i) => ({
    name: `SOME_LONGISH_RULE_${i}`,
    score: 0.5,
    description: 'd',
  })),
});

test('ham gets headers only, old X-Spam headers removed', () => {
  const out = applyResult(raw, result(false), defaultSettings()).toString();
  assert.ok(!out.includes('X-Spam-Flag'));
  assert.match(out, /X-Spam-Status: No, score=1\.0 required=5\.0 tests=SOME_LONGISH_RULE_0,/);
  assert.match(out, /\n\tSOME_LONGISH/, 'X-Spam-Status is wrapped');
  assert.match(out, /X-Spam-Score: 1\.0\n/);
  assert.ok(out.endsWith('\n\nbody\n'));
});

test('spam with report_safe 0 rewrites subject in place', () => {
  const s = defaultSettings();
  s.reportSafe = 0;
  s.rewriteHeader.set('subject', '*****SPAM***** (_SCORE_)');
  const out = applyResult(raw, result(true), s).toString();
  assert.match(out, /Subject: \*\*\*\*\*SPAM\*\*\*\*\* \(7\.3\) hello/);
  assert.match(out, /X-Spam-Flag: YES/);
  assert.match(out, /X-Spam-Level: \*{7}\n/);
});

for (const mode of [1, 2] as const) {
  test(`report_safe ${mode} wraps the original`, () => {
    const s = defaultSettings();
    s.reportSafe = mode;
    const out = applyResult(raw, result(true), s);
    const m = prepareMessage(out);
    assert.equal(m.root.type, 'multipart/mixed');
    assert.equal(m.root.children[1]!.type, mode === 1 ? 'message/rfc822' : 'text/plain');
    assert.ok(out.toString().includes('Subject: hello\nX-Spam-Flag: YES\n\nbody'));
  });
}
