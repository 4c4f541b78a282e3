import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../../test/support/fuzz.js';
import { ImapParseError } from '../errors.js';
import type { Token } from '../tokens.js';
import { parseCommand } from './index.js';

const NAMES = [
  'CAPABILITY',
  'NOOP',
  'LOGOUT',
  'STARTTLS',
  'AUTHENTICATE',
  'LOGIN',
  'ENABLE',
  'SELECT',
  'EXAMINE',
  'CREATE',
  'DELETE',
  'RENAME',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'LIST',
  'LSUB',
  'NAMESPACE',
  'STATUS',
  'APPEND',
  'IDLE',
  'CHECK',
  'CLOSE',
  'UNSELECT',
  'EXPUNGE',
  'SEARCH',
  'FETCH',
  'STORE',
  'COPY',
  'MOVE',
  'SORT',
  'THREAD',
  'GETACL',
  'SETACL',
  'DELETEACL',
  'LISTRIGHTS',
  'MYRIGHTS',
  'GETQUOTA',
  'GETQUOTAROOT',
  'SETQUOTA',
  'ID',
  'GETMETADATA',
  'SETMETADATA',
  'COMPRESS',
  'XUNKNOWN',
];

const WORDS = [
  'NIL',
  'INBOX',
  '1',
  '0',
  '*',
  '1:*',
  '$',
  '4294967295',
  '4294967296',
  '2,4:7',
  'RETURN',
  'CHARSET',
  'UTF-8',
  'ALL',
  'OR',
  'NOT',
  'FROM',
  'HEADER',
  'SINCE',
  '1-Feb-1994',
  'UID',
  'MODSEQ',
  'FLAGS',
  '+FLAGS.SILENT',
  '\\Seen',
  'BODY[',
  'BODY.PEEK[HEADER.FIELDS',
  ']',
  ']<0.10>',
  'BODY[1.2.MIME]',
  'BINARY[1]',
  'BINARY.SIZE[]',
  'CHANGEDSINCE',
  'VANISHED',
  'UNCHANGEDSINCE',
  'QRESYNC',
  'CONDSTORE',
  'USE',
  '\\Drafts',
  'STATUS',
  'MESSAGES',
  'CHILDREN',
  'SUBSCRIBED',
  'RECURSIVEMATCH',
  'DEPTH',
  'MAXSIZE',
  'infinity',
  '/private/x',
  'REFERENCES',
  'REVERSE',
  'DATE',
  'STORAGE',
  '&Jjo-',
  '&',
  'PLAIN',
  '=',
  'AGZyZWQ=',
  'DEFLATE',
  'UTF8',
];

const token: fc.Arbitrary<Token> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS).map((value): Token => ({ type: 'atom', value })) },
  {
    weight: 2,
    arbitrary: fc.string({ minLength: 1, maxLength: 6 }).map((value): Token => ({ type: 'atom', value })),
  },
  { weight: 2, arbitrary: fc.constantFrom<Token>({ type: '(' }, { type: ')' }) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 8 }).map((b): Token => ({ type: 'quoted', value: Buffer.from(b) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.uint8Array({ maxLength: 8 }), fc.boolean())
      .map(([b, binary]): Token => ({ type: 'literal', value: Buffer.from(b), binary })),
  },
  { weight: 1, arbitrary: fc.constant<Token>({ type: 'streamed', index: 0, size: 10, binary: false }) },
);

it('every parser: any tokens give a command or an ImapParseError', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...NAMES),
      fc.boolean(),
      fc.array(token, { maxLength: 24 }),
      fc.boolean(),
      (name, uid, tokens, utf8) => {
        try {
          const cmd = parseCommand({ tag: 't', name, uid, tokens }, { utf8 });
          assert.equal(cmd.tag, 't');
        } catch (e) {
          assert.ok(e instanceof ImapParseError, String(e));
          assert.equal(e.tag, 't');
        }
      },
    ),
    { numRuns: fuzzRuns(2000) },
  );
});
