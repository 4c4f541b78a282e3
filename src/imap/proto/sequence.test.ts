import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapParseError } from './errors.js';
import {
  formatIds,
  formatRanges,
  parseSequenceSet,
  rangesContain,
  resolveSequenceSet,
  selectIds,
  selectSequence,
} from './sequence.js';

describe('sequence sets: bad input', () => {
  for (const bad of [
    '',
    '0',
    '4294967296',
    '1:0',
    '01',
    '1,',
    ',1',
    '1::2',
    'a',
    '1:*:2',
    '-1',
    '1 2',
    '$,1',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseSequenceSet(bad), ImapParseError));
  }
});

describe('sequence sets', () => {
  it('keeps 1:4294967295 as one range', () => {
    const r = resolveSequenceSet(parseSequenceSet('1:4294967295'), 10);
    assert.deepEqual(r, [[1, 4294967295]]);
    assert.ok(rangesContain(r, 4294967295));
  });

  it('resolves *, reversed ranges, and merges (RFC 9051 examples)', () => {
    assert.deepEqual(resolveSequenceSet(parseSequenceSet('2,4:7,9,12:*'), 15), [
      [2, 2],
      [4, 7],
      [9, 9],
      [12, 15],
    ]);
    assert.deepEqual(resolveSequenceSet(parseSequenceSet('*:4,5:7'), 10), [[4, 10]]);
    // `*` with a larger bound still names the last message (UID 100:* when the top UID is 50).
    assert.deepEqual(resolveSequenceSet(parseSequenceSet('100:*'), 50), [[50, 100]]);
  });

  it('keeps $ apart and resolves it to the saved result', () => {
    const set = parseSequenceSet('$');
    assert.deepEqual(set, { saved: true });
    assert.deepEqual(resolveSequenceSet(set, 9, [[3, 4]]), [[3, 4]]);
  });

  it('selects existing UIDs only, in order, with cost bound by the output', () => {
    const ids = [1, 5, 6, 9, 4000000000];
    const r = resolveSequenceSet(parseSequenceSet('1:4294967295'), 4000000000);
    assert.deepEqual([...selectIds(r, ids)], ids);
    assert.deepEqual([...selectIds(resolveSequenceSet(parseSequenceSet('2:6,9'), 9), ids)], [5, 6, 9]);
    assert.deepEqual([...selectSequence(resolveSequenceSet(parseSequenceSet('2,4:*'), 5), 5)], [2, 4, 5]);
  });

  it('formats compactly', () => {
    assert.equal(formatIds([1, 2, 3, 5, 7, 8]), '1:3,5,7:8');
    assert.equal(
      formatRanges([
        [1, 1],
        [3, 9],
      ]),
      '1,3:9',
    );
  });
});
