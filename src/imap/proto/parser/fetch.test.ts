import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapParseError } from '../errors.js';
import { parse } from './commands.test.js';
import { type FetchCommand, formatSection } from './fetch.js';

function fetch(text: string): FetchCommand {
  const c = parse(text);
  assert.equal(c.name, 'FETCH');
  return c as FetchCommand;
}

describe('FETCH: bad input', () => {
  const cases = [
    'a FETCH',
    'a FETCH 1',
    'a FETCH 0 FLAGS',
    'a FETCH 1:4294967296 FLAGS',
    'a FETCH 1 (FLAGS',
    'a FETCH 1 FLAGS)',
    'a FETCH 1 ()',
    'a FETCH 1 (ALL)',
    'a FETCH 1 XYZ',
    'a FETCH 1 BODY[',
    'a FETCH 1 BODY[HEADER.FIELDS]',
    'a FETCH 1 BODY[HEADER.FIELDS ()]',
    'a FETCH 1 BODY[HEADER.FIELDS (From:)]',
    'a FETCH 1 BODY[0]',
    'a FETCH 1 BODY[1.]',
    'a FETCH 1 BODY[.TEXT]',
    'a FETCH 1 BODY[MIME]',
    'a FETCH 1 BODY[1TEXT]',
    'a FETCH 1 BODY[]<0>',
    'a FETCH 1 BODY[]<0.0>',
    'a FETCH 1 BODY[]<-1.5>',
    'a FETCH 1 BINARY[TEXT]',
    'a FETCH 1 BINARY.SIZE[1]<0.1>',
    'a FETCH 1 FLAGS (CHANGEDSINCE)',
    'a FETCH 1 FLAGS (VANISHED)',
    'a FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)',
    'a UID FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)',
  ];
  for (const c of cases) {
    it(`refuses ${JSON.stringify(c)}`, () => assert.throws(() => parse(c), ImapParseError));
  }
});

describe('FETCH', () => {
  it('expands the macros', () => {
    assert.deepEqual(
      fetch('a FETCH 1 fast').attributes.map((a) => a.item),
      ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
    );
    assert.deepEqual(fetch('a FETCH 1 ALL').attributes.length, 4);
    assert.deepEqual(fetch('a FETCH 1 FULL').attributes.at(-1), { item: 'BODY' });
  });

  it('reads RFC 9051 6.4.5 example', () => {
    const c = fetch('A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])');
    assert.deepEqual(c.sequence, { saved: false, ranges: [[2, 4]] });
    assert.deepEqual(c.attributes, [
      { item: 'FLAGS' },
      {
        item: 'BODY[]',
        peek: false,
        section: { part: [], text: 'HEADER.FIELDS', fields: ['DATE', 'FROM'] },
        partial: undefined,
      },
    ]);
  });

  it('reads every simple attribute', () => {
    const items =
      'FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE UID MODSEQ EMAILID THREADID SAVEDATE RFC822 RFC822.HEADER RFC822.TEXT';
    assert.deepEqual(
      fetch(`a FETCH 1 (${items.toLowerCase()})`)
        .attributes.map((a) => a.item)
        .join(' '),
      items,
    );
  });

  it('reads sections, PEEK and partials', () => {
    const c = fetch(
      'a FETCH 1 (BODY.PEEK[1.2.MIME] BODY[3.HEADER.FIELDS.NOT ("X-A" x-b)]<10.20> body[] BODY[2.TEXT]<0.4294967295> BODY[4])',
    );
    assert.deepEqual(c.attributes, [
      { item: 'BODY[]', peek: true, section: { part: [1, 2], text: 'MIME', fields: [] }, partial: undefined },
      {
        item: 'BODY[]',
        peek: false,
        section: { part: [3], text: 'HEADER.FIELDS.NOT', fields: ['X-A', 'X-B'] },
        partial: { offset: 10, length: 20 },
      },
      { item: 'BODY[]', peek: false, section: { part: [], text: undefined, fields: [] }, partial: undefined },
      {
        item: 'BODY[]',
        peek: false,
        section: { part: [2], text: 'TEXT', fields: [] },
        partial: { offset: 0, length: 4294967295 },
      },
      {
        item: 'BODY[]',
        peek: false,
        section: { part: [4], text: undefined, fields: [] },
        partial: undefined,
      },
    ]);
    assert.equal(
      formatSection({ part: [3], text: 'HEADER.FIELDS.NOT', fields: ['X-A', 'X-B'] }),
      '3.HEADER.FIELDS.NOT (X-A X-B)',
    );
  });

  it('reads BINARY (RFC 3516)', () => {
    const c = fetch('a FETCH 1 (BINARY.PEEK[1.2]<0.100> BINARY[] BINARY.SIZE[3])');
    assert.deepEqual(c.attributes, [
      { item: 'BINARY[]', peek: true, part: [1, 2], partial: { offset: 0, length: 100 } },
      { item: 'BINARY[]', peek: false, part: [], partial: undefined },
      { item: 'BINARY.SIZE', part: [3] },
    ]);
  });

  it('adds UID to UID FETCH and MODSEQ to CHANGEDSINCE (RFC 7162 example)', () => {
    const c = fetch('s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)');
    assert.deepEqual(
      c.attributes.map((a) => a.item),
      ['FLAGS', 'UID', 'MODSEQ'],
    );
    assert.ok(c.uid && c.vanished && c.changedSince === 12345);
  });

  it('reads $ and a lone attribute', () => {
    const c = fetch('a FETCH $ UID');
    assert.deepEqual(c.sequence, { saved: true });
  });
});
