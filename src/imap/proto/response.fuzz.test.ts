import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { CommandReceiver } from './receiver.js';
import { ResponseWriter } from './response.js';

it('response strings read back byte for byte through the receiver', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b.filter((x) => x !== 0))),
      ),
      fc.boolean(),
      (value, utf8) => {
        const w = new ResponseWriter(utf8).raw('a LOGIN ').string(value).raw(' x\r\n');
        const events = new CommandReceiver().feed(w.take());
        const cmd = events.find((e) => e.type === 'command');
        assert.ok(cmd?.type === 'command');
        const t = cmd.command.tokens[0]!;
        assert.ok(t.type === 'quoted' || t.type === 'literal');
        const expected = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
        assert.deepEqual(t.value, expected);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
