import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { formatImapUrl, ImapUrlError, parseImapUrl, type ImapMessageUrl } from './imap-url.js';
import { parseSectionText } from './parser/fetch.js';
import { ImapParseError } from './errors.js';

it('imap url: RFC 5092 and RFC 4469 examples', () => {
  assert.deepEqual(parseImapUrl('imap://minbari.example.org/gray-council;UIDVALIDITY=385759045/;UID=20'), {
    user: undefined,
    host: 'minbari.example.org',
    port: undefined,
    mailbox: 'gray-council',
    uidvalidity: 385759045,
    uid: 20,
    section: undefined,
    partial: undefined,
  });
  assert.deepEqual(
    parseImapUrl('imap://psicorp.example.org/~peter/%E6%97%A5%E6%9C%AC%E8%AA%9E/%E5%8F%B0%E5%8C%97/;UID=11'),
    {
      user: undefined,
      host: 'psicorp.example.org',
      port: undefined,
      mailbox: '~peter/日本語/台北',
      uidvalidity: undefined,
      uid: 11,
      section: undefined,
      partial: undefined,
    },
  );
  const relative = parseImapUrl('/Drafts;UIDVALIDITY=385759045/;UID=30/;SECTION=1.2.MIME/;PARTIAL=0.1024');
  assert.equal(relative.host, undefined);
  assert.equal(relative.mailbox, 'Drafts');
  assert.equal(relative.section, '1.2.MIME');
  assert.deepEqual(relative.partial, { offset: 0, length: 1024 });
  const withUser = parseImapUrl('imap://fred%40example.test;AUTH=*@mail.example.test:143/INBOX/;UID=1');
  assert.equal(withUser.user, 'fred@example.test');
  assert.equal(withUser.port, 143);
  for (const bad of [
    'http://example.org/INBOX/;UID=1',
    'INBOX/;UID=1',
    '/INBOX',
    '/INBOX/;UID=0',
    '/INBOX/;UID=4294967296',
    '/INBOX/;UID=1/;SECTION=%FF',
    '/INBOX?SUBJECT%20hi',
    'imap://example.org/INBOX/;UID=1;EXPIRE=2030-01-01T00:00:00Z;URLAUTH=anonymous:internal:0123',
    'imap://exa mple.org/INBOX/;UID=1',
    '/IN%00BOX/;UID=1',
  ])
    assert.throws(() => parseImapUrl(bad), ImapUrlError, bad);
});

it('imap url: a section in a URL reads as it does inside BODY[...]', () => {
  assert.deepEqual(parseSectionText('1.2.HEADER.FIELDS (SUBJECT FROM)'), {
    part: [1, 2],
    text: 'HEADER.FIELDS',
    fields: ['SUBJECT', 'FROM'],
  });
  assert.deepEqual(parseSectionText('TEXT'), { part: [], text: 'TEXT', fields: [] });
  for (const bad of ['HEADER.FIELDS', 'TEXT (FROM)', '1..2', 'MIME', 'HEADER.FIELDS (A"B)'])
    assert.throws(() => parseSectionText(bad), ImapParseError, bad);
});

const component = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((s) => !/[\x00-\x1f\x7f]/.test(s));
const nz = fc.integer({ min: 1, max: 4294967295 });

const urls: fc.Arbitrary<ImapMessageUrl> = fc.record({
  user: fc.option(component, { nil: undefined }),
  host: fc.option(fc.constantFrom('mail.example.test', 'localhost', '127.0.0.1', '[::1]'), {
    nil: undefined,
  }),
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  mailbox: component,
  uidvalidity: fc.option(nz, { nil: undefined }),
  uid: nz,
  section: fc.option(fc.constantFrom('1', '1.2.MIME', 'TEXT', 'HEADER.FIELDS (SUBJECT)', '2.HEADER'), {
    nil: undefined,
  }),
  partial: fc.option(
    fc.record({ offset: fc.integer({ min: 0, max: 4294967295 }), length: fc.option(nz, { nil: undefined }) }),
    { nil: undefined },
  ),
});

it('imap url: parse(format(u)) is u for any message URL', () => {
  fc.assert(
    fc.property(urls, (u) => {
      // A relative URL has no authority: no user, no port.
      const expected = u.host === undefined ? { ...u, user: undefined, port: undefined } : u;
      // structuredClone: fast-check's records have no prototype, the parser's have Object's.
      assert.deepEqual(parseImapUrl(formatImapUrl(expected)), structuredClone(expected));
    }),
    { numRuns: fuzzRuns() },
  );
});

it('imap url: any text parses or fails with ImapUrlError, never anything else', () => {
  const piece = fc.constantFrom(
    'imap://',
    '/',
    ';UID=',
    ';UIDVALIDITY=',
    ';SECTION=',
    ';PARTIAL=',
    ';AUTH=*',
    '@',
    ':',
    '.',
    '%',
    '%2F',
    '%E6%97',
    '%00',
    '1',
    '0',
    '4294967296',
    'INBOX',
    'mail.example.test',
    '[::1]',
    ' ',
    '?',
    'é',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
      const text = pieces.join('');
      try {
        const u = parseImapUrl(text);
        assert.ok(u.uid >= 1 && u.uid <= 4294967295);
        assert.ok(u.mailbox.length > 0);
      } catch (e) {
        if (!(e instanceof ImapUrlError)) throw e;
      }
    }),
    { numRuns: fuzzRuns() },
  );
});
