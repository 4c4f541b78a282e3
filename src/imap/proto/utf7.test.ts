import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapParseError } from './errors.js';
import { decodeMailboxName, decodeUtf7, encodeUtf7 } from './utf7.js';

describe('modified UTF-7: bad input', () => {
  const bad = ['&', '&Jjo', '&Jjo!-', '&AGE-', '&Jjo-&Jjo-', '&2D0-', '&3gA-', '&Jjp-', 'a\x7fb', 'é', '&A-'];
  for (const b of bad) {
    it(`refuses ${JSON.stringify(b)}`, () => assert.throws(() => decodeUtf7(b), ImapParseError));
  }
  it('refuses invalid UTF-8 under UTF8=ACCEPT and 8-bit without it', () => {
    assert.throws(() => decodeMailboxName(Buffer.from([0x66, 0xff]), true), ImapParseError);
    assert.throws(() => decodeMailboxName(Buffer.from('café'), false), ImapParseError);
  });
});

describe('modified UTF-7', () => {
  it('matches RFC 3501 §5.1.3', () => {
    assert.equal(encodeUtf7('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    assert.equal(decodeUtf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
    assert.equal(encodeUtf7('A&B'), 'A&-B');
    assert.equal(decodeUtf7('A&-B'), 'A&B');
  });

  it('encodes astral characters as surrogate pairs', () => {
    assert.equal(decodeUtf7(encodeUtf7('mail 📬 box')), 'mail 📬 box');
  });

  it('treats names as UTF-8 under UTF8=ACCEPT', () => {
    assert.equal(decodeMailboxName(Buffer.from('Café&Co'), true), 'Café&Co');
  });
});
