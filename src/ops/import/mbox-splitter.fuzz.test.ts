import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { fromLineDate, splitMbox } from './mbox-splitter.js';

async function split(text: string, chunk: number) {
  const buf = Buffer.from(text, 'latin1');
  async function* chunks() {
    for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
  }
  const out = [];
  for await (const e of splitMbox(chunks()))
    out.push({ fromLine: e.fromLine, raw: e.raw.toString('latin1') });
  return out;
}

/** Message text as an mboxrd writer would store it: `From ` lines (quoted or not) get one more `>`. */
const quote = (body: string) =>
  body
    .split('\n')
    .map((l) => (/^>*From /.test(l) ? '>' + l : l))
    .join('\n');
const line = fc.oneof(
  fc.constantFrom('From me', '>From you', '', 'x'),
  fc.string({ unit: fc.constantFrom('a', ' ', ':', '>', 'F', 'r', 'o', 'm', '\r') }),
);
const header = fc
  .array(line, { maxLength: 6 })
  .map((h) => h.filter((x) => x && !x.startsWith('From ') && !x.startsWith('>') && !x.includes('\r')));
const body = fc.array(line, { maxLength: 8 }).map((b) => `${b.join('\n')}\n`);
/** Without Content-Length: an mboxrd writer's message. */
const message = fc
  .tuple(header, body)
  .map(([h, b]) => `Subject: s\n${h.map((x) => x + '\n').join('')}\n${b}`);
/** With a true Content-Length and nothing quoted, as Dovecot writes. */
const counted = fc
  .tuple(header, body)
  .map(
    ([h, b]) =>
      `Subject: s\n${h.map((x) => x + '\n').join('')}Content-Length: ${Buffer.byteLength(b, 'latin1')}\n\n${b}`,
  );

it('splits what an mboxrd writer wrote back into the same messages, whatever the chunking', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(message, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 64 }),
      async (messages, chunk) => {
        const text = messages
          .map((m, i) => `From sender${i} Mon Jan  1 10:00:00 2024\n${quote(m)}\n`)
          .join('');
        const got = await split(text, chunk);
        assert.deepEqual(
          got.map((g) => g.raw),
          messages,
        );
        assert.deepEqual(
          got.map((g) => g.fromLine),
          messages.map((_, i) => `From sender${i} Mon Jan  1 10:00:00 2024`),
        );
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('splits what a Content-Length writer (Dovecot) wrote, From lines in bodies unquoted', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(counted, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 64 }),
      async (messages, chunk) => {
        const text = messages.map((m) => `From MAILER-DAEMON Mon Jan  1 10:00:00 2024\n${m}\n`).join('');
        assert.deepEqual(
          (await split(text, chunk)).map((g) => g.raw),
          messages,
        );
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('never throws and never loses bytes of message text on arbitrary input', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: fc.constantFrom('F', 'r', 'o', 'm', ' ', '\n', '\r', '>', 'C', ':', '1', 'x') }),
      fc.integer({ min: 1, max: 16 }),
      async (text, chunk) => {
        const got = await split(text, chunk);
        for (const g of got) assert.ok(g.fromLine.startsWith('From '));
        assert.ok(got.reduce((n, g) => n + g.raw.length + g.fromLine.length, 0) <= text.length);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('reads From-line dates as UTC and rejects what is not one', () => {
  assert.equal(fromLineDate('From MAILER-DAEMON Sat Jan  3 01:05:34 1996'), Date.UTC(1996, 0, 3, 1, 5, 34));
  assert.equal(fromLineDate('From a@b Mon Nov 26 06:04:34 2024'), Date.UTC(2024, 10, 26, 6, 4, 34));
  assert.equal(fromLineDate('From a@b Mon Foo 26 06:04:34 2024'), undefined);
  assert.equal(fromLineDate('From a@b nothing here'), undefined);
});
