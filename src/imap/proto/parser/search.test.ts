import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapParseError } from '../errors.js';
import { CommandReceiver } from '../receiver.js';
import { parse } from './commands.test.js';
import { parseCommand } from './index.js';
import type { SearchCommand } from './search.js';

function search(text: string): SearchCommand {
  const c = parse(text);
  assert.equal(c.name, 'SEARCH');
  return c as SearchCommand;
}

describe('SEARCH: bad input', () => {
  const cases = [
    'a SEARCH',
    'a SEARCH FOO',
    'a SEARCH (SEEN',
    'a SEARCH SEEN)',
    'a SEARCH ()',
    'a SEARCH FROM',
    'a SEARCH OR SEEN',
    'a SEARCH NOT',
    'a SEARCH SINCE 31-Feb-2020',
    'a SEARCH SINCE 1-Foo-2020',
    'a SEARCH LARGER x',
    'a SEARCH UID 0',
    'a SEARCH 0',
    'a SEARCH RETURN (FOO) ALL',
    'a SEARCH RETURN MIN ALL',
    'a SEARCH CHARSET',
    'a SEARCH KEYWORD (',
    'a SEARCH HEADER "a:b" x',
    'a SEARCH MODSEQ "/flags/\\\\draft" foo 5',
    'a SEARCH YOUNGER 0',
    'a SEARCH EMAILID a/b',
    'a SEARCH ' + 'NOT '.repeat(100) + 'ALL',
    'a SEARCH ' + '('.repeat(100) + 'ALL' + ')'.repeat(100),
  ];
  for (const c of cases) {
    it(`refuses ${JSON.stringify(c.slice(0, 60))}`, () => assert.throws(() => parse(c), ImapParseError));
  }
});

describe('SEARCH', () => {
  it('reads RFC 9051 6.4.4 examples', () => {
    assert.deepEqual(search('A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"'), {
      name: 'SEARCH',
      tag: 'A282',
      uid: false,
      charset: undefined,
      returnOptions: ['MIN', 'COUNT'],
      criteria: {
        op: 'and',
        keys: [
          { op: 'flag', flag: '\\Flagged', set: true },
          { op: 'date', field: 'internal', cmp: 'since', date: '1994-02-01' },
          { op: 'not', key: { op: 'header', field: 'from', value: 'Smith' } },
        ],
      },
    });
    const c = search('A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nмоя\r\n');
    assert.deepEqual(c.criteria, { op: 'text', value: 'моя' });
    assert.deepEqual(search('a SEARCH RETURN () ALL').returnOptions, []);
  });

  it('reads every key', () => {
    const c = search(
      'a UID SEARCH ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED DRAFT FLAGGED FROM f HEADER X-Y z ' +
        'KEYWORD $Junk LARGER 10 NEW NOT SEEN OLD ON 2-Jan-2000 OR SEEN UNSEEN RECENT SENTBEFORE 3-Jan-2000 ' +
        'SENTON 4-Jan-2000 SENTSINCE 5-Jan-2000 SINCE 6-Jan-2000 SMALLER 20 SUBJECT s TEXT t TO o UID 1:* ' +
        'UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD foo UNSEEN 1,2:3 $ MODSEQ 5 ' +
        'MODSEQ "/flags/\\\\draft" all 620162338 OLDER 60 YOUNGER 30 EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9 ' +
        'SAVEDBEFORE 1-Jan-2020 SAVEDON 1-Jan-2020 SAVEDSINCE 1-Jan-2020 ALL (SEEN FLAGGED)',
    );
    assert.ok(c.uid && c.criteria.op === 'and');
    assert.equal(c.criteria.keys.length, 46);
    assert.ok(
      c.criteria.keys.some(
        (k) =>
          JSON.stringify(k) ===
          JSON.stringify({ op: 'modseq', modseq: 620162338, entry: { name: '/flags/\\draft', type: 'all' } }),
      ),
    );
    assert.ok(c.criteria.keys.some((k) => k.op === 'seq' && k.set.saved));
  });

  it('decodes strings in the declared charset', () => {
    const e = new CommandReceiver()
      .feed(Buffer.from('a SEARCH CHARSET ISO-8859-1 SUBJECT {1}\r\n\xe9\r\n', 'latin1'))
      .at(-1);
    assert.ok(e?.type === 'command');
    const c = parseCommand(e.command);
    assert.ok(c.name === 'SEARCH' && c.charset === 'ISO-8859-1');
    assert.deepEqual(c.criteria, { op: 'header', field: 'subject', value: 'é' });
  });
});
