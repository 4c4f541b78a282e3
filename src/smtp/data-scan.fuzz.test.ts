import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { cutNonEmpty, fuzzRuns } from '../../test/support/fuzz.js';
import { scanData } from './data-scan.js';

// This file does not load ./engine-patches.ts, so the prototype still has the engine's own scan.
const engineScan = SMTPStream.prototype._feedDataStream;

interface Outcome {
  data: string;
  ended: boolean;
  dataBytes: number;
  commands: string[];
}

/** Feeds `chunks` to a stream in data mode and records what it makes of them. */
async function feed(scan: SMTPStream['_feedDataStream'], chunks: Buffer[]): Promise<Outcome> {
  const stream = new SMTPStream();
  stream._feedDataStream = scan;
  const commands: string[] = [];
  stream.oncommand = (line, next) => {
    commands.push(line.toString('latin1'));
    next?.();
  };
  const data = stream.startDataMode();
  const parts: Buffer[] = [];
  let ended = false;
  data.on('data', (b: Buffer) => parts.push(b));
  data.on('end', () => {
    ended = true;
    stream.continue();
  });
  const finished = new Promise((resolve) => stream.on('finish', resolve));
  for (const c of chunks) stream.write(c);
  stream.end();
  await finished;
  await new Promise(setImmediate);
  return { data: Buffer.concat(parts).toString('latin1'), ended, dataBytes: stream.dataBytes, commands };
}

const piece = fc.oneof(
  fc.constantFrom(
    '.',
    '..',
    '\r\n',
    '\r\n.\r\n',
    '\r\n..\r\n',
    '\r\n.',
    '.\r\n',
    '\n.',
    '\r',
    '\n',
    'QUIT\r\n',
  ),
  fc.string({ maxLength: 12 }),
  fc.nat({ max: 300 }).map((n) => 'x'.repeat(n)),
);

test('the engine scan is what this file compares against', () => {
  assert.notEqual(engineScan, scanData);
});

test('DATA scanned with indexOf gives the engine’s bytes, end and following commands for any input and chunking', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(piece, { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      async (pieces, at) => {
        const chunks = cutNonEmpty(Buffer.from(pieces.join(''), 'latin1'), at);
        assert.deepEqual(await feed(scanData, chunks), await feed(engineScan, chunks));
      },
    ),
    { numRuns: fuzzRuns(400) },
  );
});

test('a 100 KB message with escaped dots in 64 KB reads', async () => {
  const line = (i: number) =>
    i % 50 === 0 ? '..dot line\r\n' : `line ${i} of the message body, padded ${'y'.repeat(50)}\r\n`;
  const body = Array.from({ length: 1600 }, (_, i) => line(i)).join('');
  const wire = Buffer.from(`Subject: t\r\n\r\n${body}.\r\nQUIT\r\n`, 'latin1');
  const chunks = cutNonEmpty(wire, [65536]);
  const ours = await feed(scanData, chunks);
  assert.deepEqual(ours, await feed(engineScan, chunks));
  assert.equal(ours.ended, true);
  assert.equal(ours.data, `Subject: t\r\n\r\n${body}`.replaceAll('\r\n..', '\r\n.'));
  assert.deepEqual(ours.commands, ['QUIT']);
});
