import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSaslPlain, parsePop3Command } from './command.js';
import { DotStuffer, topOfMessage } from './dot-stuff.js';

describe('parsePop3Command', () => {
  it('parses the RFC 1939 commands, case-insensitively', () => {
    assert.deepEqual(parsePop3Command('user alice@example.test'), {
      ok: true,
      command: { name: 'USER', user: 'alice@example.test' },
    });
    assert.deepEqual(parsePop3Command('PASS with spaces inside'), {
      ok: true,
      command: { name: 'PASS', pass: 'with spaces inside' },
    });
    assert.deepEqual(parsePop3Command('LIST'), { ok: true, command: { name: 'LIST', msg: null } });
    assert.deepEqual(parsePop3Command('uidl 7'), { ok: true, command: { name: 'UIDL', msg: 7 } });
    assert.deepEqual(parsePop3Command('TOP 1 0'), { ok: true, command: { name: 'TOP', msg: 1, lines: 0 } });
    assert.deepEqual(parsePop3Command('AUTH PLAIN'), {
      ok: true,
      command: { name: 'AUTH', mechanism: 'PLAIN', initial: null },
    });
    assert.deepEqual(parsePop3Command('STLS'), { ok: true, command: { name: 'STLS' } });
  });

  it('refuses bad numbers, extra arguments, long lines and unknown commands', () => {
    for (const bad of [
      'RETR 0',
      'RETR -1',
      'RETR 4294967296',
      'DELE',
      'TOP 1',
      'STAT 1',
      'LIST 1 2',
      'RETR  1',
      'APOP a b',
      'XYZZY',
      '',
      'USER ' + 'x'.repeat(41),
      'NOOP\0',
      'A'.repeat(300),
    ]) {
      assert.equal(parsePop3Command(bad).ok, false, bad);
    }
  });

  it('decodes SASL PLAIN and refuses proxy authorization', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    assert.deepEqual(decodeSaslPlain(b64('\0a@x\0pw')), { user: 'a@x', pass: 'pw' });
    assert.deepEqual(decodeSaslPlain(b64('a@x\0a@x\0pw')), { user: 'a@x', pass: 'pw' });
    assert.equal(decodeSaslPlain(b64('b@x\0a@x\0pw')), null);
    assert.equal(decodeSaslPlain('not base64!'), null);
  });
});

describe('DotStuffer', () => {
  it('stuffs leading dots across chunk boundaries and terminates', () => {
    const s = new DotStuffer();
    const out = Buffer.concat([
      s.push(Buffer.from('.a\r\nb\r')),
      s.push(Buffer.from('\n.')),
      s.push(Buffer.from('.c\r\n')),
      s.end(),
    ]);
    assert.equal(out.toString(), '..a\r\nb\r\n...c\r\n.\r\n');
    const t = new DotStuffer();
    assert.equal(
      Buffer.concat([t.push(Buffer.from('no newline')), t.end()]).toString(),
      'no newline\r\n.\r\n',
    );
  });

  it('takes the header and n body lines for TOP', () => {
    const m = Buffer.from('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n');
    assert.equal(topOfMessage(m, 0).toString(), 'A: 1\r\nB: 2\r\n\r\n');
    assert.equal(topOfMessage(m, 2).toString(), 'A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n');
    assert.equal(topOfMessage(m, 99).toString(), m.toString());
  });
});
