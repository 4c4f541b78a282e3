import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { parseDovecotKeywords, parseMaildirName } from './maildir-name.js';

const SYSTEM = {
  D: '\\Draft',
  F: '\\Flagged',
  P: '$Forwarded',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
} as const;

it('reads every flag letter it was given, in any order, after any separator', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4_000_000_000 }),
      fc.string({ unit: fc.constantFrom('M', 'P', '1', '2', '.', ',', 'S', '=', 'h', 'x') }),
      fc.subarray(['D', 'F', 'P', 'R', 'S', 'T', 'a', 'b', 'z'] as const),
      fc.constantFrom(':', '!', ';'),
      (time, unique, letters, sep) => {
        const name = `${time}.${unique}${sep}2,${[...letters].sort().join('')}`;
        const p = parseMaildirName(name);
        assert.deepEqual(
          new Set(p.flags),
          new Set(letters.filter((l): l is keyof typeof SYSTEM => l in SYSTEM).map((l) => SYSTEM[l])),
        );
        assert.deepEqual(new Set(p.keywordLetters), new Set(letters.filter((l) => l >= 'a' && l <= 'z')));
        assert.equal(p.time, time * 1000);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('never throws and finds no flags without an info suffix', () => {
  fc.assert(
    fc.property(fc.string(), (name) => {
      const p = parseMaildirName(name);
      if (!/[:!;]2,/.test(name)) assert.deepEqual([p.flags, p.keywordLetters], [[], []]);
    }),
    { numRuns: fuzzRuns() },
  );
});

it('maps dovecot-keywords numbers to letters', () => {
  assert.deepEqual(
    [...parseDovecotKeywords('0 $Label1\n1 Junk\n25 last\n26 beyond\nbad line\n')],
    [
      ['a', '$Label1'],
      ['b', 'Junk'],
      ['z', 'last'],
    ],
  );
});
