import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { MailsteadError } from './errors.js';
import { ThreadRpc } from './thread-rpc.js';

function pair(
  left: ConstructorParameters<typeof ThreadRpc>[1],
  right: ConstructorParameters<typeof ThreadRpc>[1],
) {
  const { port1, port2 } = new MessageChannel();
  const a = new ThreadRpc(port1, left);
  const b = new ThreadRpc(port2, right);
  return { a, b, close: () => (port1.close(), port2.close()) };
}

test('calls answer both ways; a refusal keeps its SMTP meaning and an errno its code', async () => {
  const { a, b, close } = pair(
    { twice: (n: number) => n * 2 },
    {
      add: async (x: number, y: number) => x + y,
      refuse: () => {
        throw new MailsteadError('user unknown', { smtp: { code: 550, enhanced: '5.1.1' } });
      },
      busy: async () => {
        throw Object.assign(new Error('address in use'), { code: 'EADDRINUSE' });
      },
    },
  );
  try {
    assert.equal(await a.call<number>('add', 2, 3), 5);
    assert.equal(await b.call<number>('twice', 21), 42);
    const refused = await a.call('refuse').catch((e: unknown) => e);
    assert.ok(refused instanceof MailsteadError);
    assert.deepEqual(refused.smtp, { code: 550, enhanced: '5.1.1' });
    assert.equal(refused.message, 'user unknown');
    const busy = (await a.call('busy').catch((e: unknown) => e)) as NodeJS.ErrnoException;
    assert.equal(busy.code, 'EADDRINUSE');
    assert.ok(!(busy instanceof MailsteadError));
    await assert.rejects(a.call('missing'), /no handler for missing/);
  } finally {
    close();
  }
});

test('a moved buffer arrives whole and leaves its sender empty; a pooled one is copied', async () => {
  const { a, close } = pair(
    {},
    {
      digest: (n: number, u: Uint8Array) => `${n}:${u.byteLength}:${Buffer.from(u).toString('latin1', 0, 3)}`,
    },
  );
  try {
    const big = Buffer.concat([Buffer.from('abc'), Buffer.alloc(100_000, 0x78)]);
    assert.equal(await a.callMoving<string>('digest', big, 1, big), '1:100003:abc');
    assert.equal(big.buffer.byteLength, 0, 'its memory went with it');
    const small = Buffer.from('abcdef'); // from the pool shared with other buffers
    assert.equal(await a.callMoving<string>('digest', small, 2, small), '2:6:abc');
    assert.equal(small.toString(), 'abcdef', 'copied, so the pool stays whole');
  } finally {
    close();
  }
});

test('notes of one turn arrive together and in order', async () => {
  const got: number[] = [];
  let batches = 0;
  const { port1, port2 } = new MessageChannel();
  port2.on('message', () => batches++);
  const a = new ThreadRpc(port1, {});
  new ThreadRpc(port2, { note: (n: number) => got.push(n) });
  for (let i = 0; i < 5; i++) a.notify('note', i);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
  assert.equal(batches, 1);
  port1.close();
});

test('closing fails the calls in flight and every later one', async () => {
  const { a, close } = pair({}, { never: () => new Promise(() => undefined) });
  const inFlight = a.call('never');
  a.close(new Error('thread gone'));
  await assert.rejects(inFlight, /thread gone/);
  await assert.rejects(a.call('never'), /thread gone/);
  close();
});

test('an answer or a note that cannot be cloned fails alone; the channel goes on', async () => {
  const got: string[] = [];
  const { a, close } = pair(
    { note: (x: unknown) => got.push(String(x)) },
    { fn: () => () => 1, ok: () => 'ok' },
  );
  try {
    await assert.rejects(a.call('fn'), /could not be cloned/);
    assert.equal(await a.call('ok'), 'ok');
  } finally {
    close();
  }
  const { port1, port2 } = new MessageChannel();
  const sender = new ThreadRpc(port1, {});
  new ThreadRpc(port2, { note: (x: unknown) => got.push(String(x)) });
  sender.notify('note', 'first');
  sender.notify('note', () => 'a function');
  sender.notify('note', 'third');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(got, ['first', 'third']);
  port1.close();
});
