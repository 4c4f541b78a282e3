import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { cutAt, fuzzRuns } from '../../../test/support/fuzz.js';
import { ImapParseError } from './errors.js';
import { parseCommand } from './parser/index.js';
import { CommandReceiver, type ReceiverEvent } from './receiver.js';

/** Bytes that look like IMAP often enough to reach literals, lists and strings. */
const imapish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'a1 ',
        'UID ',
        'FETCH ',
        'APPEND ',
        'LOGIN ',
        'SEARCH ',
        'IDLE',
        '(',
        ')',
        '"',
        '\\',
        ' ',
        '\r\n',
        '\n',
      ),
      fc.constantFrom(
        '{3}\r\n',
        '{5+}\r\n',
        '~{2}\r\n',
        '{0}\r\n',
        '{99999999999}\r\n',
        '1:*',
        'BODY[',
        ']',
        'INBOX',
        'NIL',
      ),
      fc.string({ maxLength: 8 }),
      fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('latin1')),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.from(parts.join(''), 'latin1'));

function run(r: CommandReceiver, chunks: Buffer[]): ReceiverEvent[] {
  const events: ReceiverEvent[] = [];
  for (const c of chunks) {
    events.push(...r.feed(c));
    while (r.paused) {
      const more = r.resume();
      events.push(...more);
      if (more.length === 0) break;
    }
  }
  return events;
}

it('receiver + parser: any bytes give commands or ImapParseErrors, within limits', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        imapish,
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      ),
      fc.array(fc.nat(), { maxLength: 6 }),
      (data, cuts) => {
        const r = new CommandReceiver({
          maxLineBytes: 64,
          maxLiteralBytes: 16,
          appendLimit: 32,
          maxCommandBytes: 128,
          streamAppendOver: 8,
          maxDrainBytes: 64,
        });
        for (const e of run(r, cutAt(data, cuts))) {
          if (e.type === 'error') assert.ok(e.error instanceof ImapParseError);
          if (e.type === 'literal-data') assert.ok(e.data.length <= 32);
          if (e.type === 'command') {
            const size = e.command.tokens.reduce(
              (n, t) => n + (t.type === 'literal' || t.type === 'quoted' ? t.value.length : 0),
              0,
            );
            assert.ok(size <= 128);
            try {
              parseCommand(e.command, { utf8: data.length % 2 === 0 });
            } catch (err) {
              assert.ok(err instanceof ImapParseError, String(err));
            }
          }
        }
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

it('receiver: how the bytes are split does not change the commands', () => {
  fc.assert(
    fc.property(imapish, fc.array(fc.nat(), { maxLength: 6 }), (data, cuts) => {
      const whole = run(new CommandReceiver(), [data]);
      const pieces = run(new CommandReceiver(), cutAt(data, cuts));
      const commands = (ev: ReceiverEvent[]) => ev.filter((e) => e.type !== 'literal-data');
      assert.deepEqual(commands(pieces), commands(whole));
    }),
    { numRuns: fuzzRuns() },
  );
});
