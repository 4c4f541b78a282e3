import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { DEFAULT_LIMITS, formatString, parseCommand, type Argument } from './command.js';

const limits = { ...DEFAULT_LIMITS, maxLine: 512, maxLiteral: 4096 };

test('parseCommand never throws and never consumes more than it was given', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, nameless) => {
      const buf = Buffer.from(bytes);
      const r = parseCommand(buf, limits, nameless);
      if (r.kind === 'command') assert.ok(r.consumed > 0 && r.consumed <= buf.length);
      if (r.kind === 'error') assert.ok(r.consumed <= buf.length && r.skip >= 0);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('a command whose arguments the server formats reads back the same, at any split point', () => {
  const arg = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ maxLength: 40 }).map((s) => `${s}\r\n${s}`),
    fc.nat({ max: 4294967295 }),
  );
  fc.assert(
    fc.property(
      fc.constantFrom('PUTSCRIPT', 'HAVESPACE', 'NOOP'),
      fc.array(arg, { maxLength: 4 }),
      fc.nat(),
      (name, args: Argument[], cut) => {
        const wire = Buffer.from(
          `${name}${args.map((a) => ` ${typeof a === 'number' ? a : formatString(a)}`).join('')}\r\nNEXT`,
        );
        const r = parseCommand(wire, limits);
        assert.deepEqual(r, { kind: 'command', name, args, consumed: wire.length - 4 });
        const at = cut % (wire.length - 4);
        assert.equal(parseCommand(wire.subarray(0, at), limits).kind, 'incomplete');
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
