import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../test/support/fuzz.js';
import { parsePop3Command } from './command.js';
import { DotStuffer } from './dot-stuff.js';

it('parsePop3Command never throws and accepts only short, clean lines', () => {
  const words = fc.constantFrom(
    'USER',
    'PASS',
    'STAT',
    'LIST',
    'RETR',
    'DELE',
    'NOOP',
    'RSET',
    'QUIT',
    'TOP',
    'UIDL',
    'CAPA',
    'STLS',
    'AUTH',
    'user',
    'top',
  );
  const line = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc
      .tuple(words, fc.array(fc.oneof(fc.nat().map(String), fc.string({ maxLength: 50 })), { maxLength: 4 }))
      .map(([w, a]) => [w, ...a].join(' ')),
  );
  fc.assert(
    fc.property(line, (l) => {
      const r = parsePop3Command(l);
      if (r.ok) {
        assert.ok(l.length <= 253 && !/[\0\r\n]/.test(l));
        const c = r.command;
        if ('msg' in c && c.msg !== null)
          assert.ok(Number.isInteger(c.msg) && c.msg >= 1 && c.msg <= 0xffffffff);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

it('DotStuffer output, unstuffed, is the input whatever the chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('.', '\r\n', 'a', '..', '\n'), { maxLength: 60 }),
      fc.array(fc.nat(60), { maxLength: 5 }),
      (parts, cuts) => {
        const input = Buffer.from(parts.join(''));
        const points = [...new Set(cuts.filter((c) => c < input.length))].sort((a, b) => a - b);
        const s = new DotStuffer();
        const chunks: Buffer[] = [];
        let at = 0;
        for (const p of [...points, input.length]) {
          chunks.push(s.push(input.subarray(at, p)));
          at = p;
        }
        const out = Buffer.concat(chunks).toString('latin1');
        // Reverse RFC 1939 byte-stuffing: a leading "." on any line is dropped.
        const unstuffed = out.replace(/(^|\n)\./g, '$1');
        assert.equal(unstuffed, input.toString('latin1'));
        assert.ok(!/(^|\n)\.(?!\.)/.test(out), 'no line starts with a single dot');
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
