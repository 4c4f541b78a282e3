import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandReceiver, type ReceiverEvent } from './receiver.js';

function feedAll(r: CommandReceiver, ...chunks: string[]): ReceiverEvent[] {
  return chunks.flatMap((c) => r.feed(Buffer.from(c, 'latin1')));
}

function errors(events: ReceiverEvent[]) {
  return events.filter((e) => e.type === 'error').map((e) => (e.type === 'error' ? e : undefined)!);
}

describe('CommandReceiver: bad input', () => {
  it('refuses a line with no command and answers with the tag', () => {
    const [e] = errors(feedAll(new CommandReceiver(), 'a1\r\n'));
    assert.equal(e?.error.tag, 'a1');
    assert.equal(e?.error.message, 'Missing command');
  });

  it('refuses an invalid tag untagged', () => {
    const [e] = errors(feedAll(new CommandReceiver(), '+x NOOP\r\n'));
    assert.equal(e?.error.tag, undefined);
  });

  it('refuses an unterminated quoted string and carries on with the next command', () => {
    const ev = feedAll(new CommandReceiver(), 'a1 LOGIN "fred\r\na2 NOOP\r\n');
    assert.equal(ev[0]!.type, 'error');
    assert.deepEqual(ev[1], {
      type: 'command',
      command: { tag: 'a2', name: 'NOOP', uid: false, tokens: [] },
    });
  });

  it('refuses a literal marker that does not end the line', () => {
    const [e] = errors(feedAll(new CommandReceiver(), 'a1 LOGIN {3} x\r\n'));
    assert.equal(e?.error.tag, 'a1');
  });

  it('drops an over-long line without buffering it, keeping the tag', () => {
    const r = new CommandReceiver({ maxLineBytes: 100 });
    const ev = feedAll(r, 'a1 SEARCH ' + 'x '.repeat(1000), 'y'.repeat(5000), '\r\na2 NOOP\r\n');
    assert.equal(ev.length, 2);
    const e = ev[0]!;
    assert.ok(e.type === 'error' && e.error.tag === 'a1' && e.error.code === 'TOOBIG' && !e.fatal);
    assert.equal(ev[1]!.type, 'command');
  });

  it('answers an APPEND over the limit with NO [TOOBIG] and sends no continuation', () => {
    const r = new CommandReceiver({ appendLimit: 1000 });
    const ev = feedAll(r, 'a1 APPEND INBOX {2147483648}\r\n', 'a2 NOOP\r\n');
    assert.equal(ev.length, 2);
    const e = ev[0]!;
    assert.ok(
      e.type === 'error' && e.error.status === 'NO' && e.error.code === 'TOOBIG' && e.error.tag === 'a1',
    );
    assert.equal(ev[1]!.type, 'command');
  });

  it('drains a refused non-synchronizing literal and resumes after it', () => {
    const r = new CommandReceiver({ maxLiteralBytes: 10 });
    const ev = feedAll(r, 'a1 LOGIN {20+}\r\n', '01234567890123456789', ' pass\r\na2 NOOP\r\n');
    assert.equal(ev.length, 2);
    assert.ok(ev[0]!.type === 'error' && ev[0]!.error.status === 'BAD');
    assert.ok(ev[1]!.type === 'command' && ev[1]!.command.tag === 'a2');
  });

  it('closes on a non-synchronizing literal too large to drain', () => {
    const r = new CommandReceiver({ appendLimit: 10, maxDrainBytes: 100 });
    const ev = feedAll(r, 'a1 APPEND INBOX {2147483648+}\r\n', 'a2 NOOP\r\n');
    assert.equal(ev.length, 1);
    assert.ok(ev[0]!.type === 'error' && ev[0]!.fatal);
  });

  it('enforces LITERAL- (4096 bytes for non-synchronizing literals)', () => {
    const r = new CommandReceiver({ literalMinus: true });
    const [e] = errors(feedAll(r, 'a1 APPEND INBOX {5000+}\r\n'));
    assert.equal(e?.error.code, 'TOOBIG');
  });

  it('bounds the bytes buffered for one command', () => {
    const r = new CommandReceiver({ maxCommandBytes: 80, maxLiteralBytes: 40 });
    const ev = feedAll(
      r,
      'a1 SETMETADATA INBOX (/private/a {30}\r\n',
      'x'.repeat(30),
      ' /private/b {30}\r\n',
    );
    assert.equal(ev[0]!.type, 'continue');
    const e = errors(ev)[0];
    assert.equal(e?.error.message, 'Command too big');
  });

  it('bounds what is held while paused', () => {
    const r = new CommandReceiver({ maxLineBytes: 10 });
    feedAll(r, 'a1 IDLE\r\n');
    const ev = feedAll(r, 'x'.repeat(100));
    assert.ok(ev[0]!.type === 'error' && ev[0]!.fatal);
  });
});

describe('CommandReceiver', () => {
  it('reads RFC 9051 LOGIN with a synchronizing literal, one byte at a time', () => {
    const r = new CommandReceiver();
    const text = 'A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n';
    const ev: ReceiverEvent[] = [];
    for (const ch of text) ev.push(...r.feed(Buffer.from(ch)));
    assert.deepEqual(
      ev.map((e) => e.type),
      ['continue', 'continue', 'command'],
    );
    const cmd = ev[2]!.type === 'command' ? ev[2]!.command : undefined;
    assert.equal(cmd?.name, 'LOGIN');
    assert.deepEqual(
      cmd?.tokens.map((t) => (t.type === 'literal' ? t.value.toString() : t.type)),
      ['FRED FOOBAR', 'fat man'],
    );
  });

  it('does not ask for LITERAL+ literals and reads literal8', () => {
    const ev = feedAll(new CommandReceiver(), 'a1 APPEND INBOX ~{3+}\r\na\x00b\r\n');
    assert.equal(ev.length, 1);
    const t = ev[0]!.type === 'command' ? ev[0]!.command.tokens[1] : undefined;
    assert.deepEqual(t, { type: 'literal', value: Buffer.from('a\x00b', 'latin1'), binary: true });
  });

  it('reads UID commands and several commands in one chunk', () => {
    const ev = feedAll(new CommandReceiver(), 'a UID FETCH 1:* FLAGS\r\nb NOOP\r\n\r\n');
    assert.equal(ev.length, 2);
    assert.ok(ev[0]!.type === 'command' && ev[0]!.command.uid && ev[0]!.command.name === 'FETCH');
  });

  it('accepts bare LF line endings', () => {
    const ev = feedAll(new CommandReceiver(), 'a NOOP\n');
    assert.equal(ev[0]!.type, 'command');
  });

  it('streams a large APPEND message in chunks without buffering it', () => {
    const r = new CommandReceiver({ streamAppendOver: 10 });
    const ev = feedAll(r, 'a1 APPEND INBOX (\\Seen) {25}\r\n', '0123456789', '0123456789', '01234\r\n');
    assert.deepEqual(
      ev.map((e) => e.type),
      ['continue', 'literal-start', 'literal-data', 'literal-data', 'literal-data', 'literal-end', 'command'],
    );
    const data = Buffer.concat(ev.flatMap((e) => (e.type === 'literal-data' ? [e.data] : [])));
    assert.equal(data.toString(), '0123456789012345678901234');
    const cmd = ev[6]!.type === 'command' ? ev[6]!.command : undefined;
    assert.deepEqual(cmd?.tokens.at(-1), { type: 'streamed', index: 0, size: 25, binary: false });
  });

  it('pauses after IDLE until resumed, reading DONE in line mode', () => {
    const r = new CommandReceiver();
    const ev = feedAll(r, 'a1 IDLE\r\nDONE\r\na2 NOOP\r\n');
    assert.equal(ev.length, 1);
    assert.ok(r.paused);
    const line = r.resume('line');
    assert.deepEqual(line, [{ type: 'line', line: Buffer.from('DONE') }]);
    const rest = r.resume();
    assert.ok(rest[0]!.type === 'command' && rest[0]!.command.tag === 'a2');
  });

  it('holds bytes after STARTTLS so they can be discarded, not run', () => {
    const r = new CommandReceiver();
    feedAll(r, 'a1 STARTTLS\r\na2 LOGIN x y\r\n');
    assert.equal(r.takePending().toString(), 'a2 LOGIN x y\r\n');
    assert.deepEqual(r.resume(), []);
  });

  it('reads an empty literal', () => {
    const ev = feedAll(new CommandReceiver(), 'a1 LOGIN {0}\r\n "x"\r\n');
    assert.deepEqual(
      ev.map((e) => e.type),
      ['continue', 'command'],
    );
  });
});
