import type { EventEmitter } from 'node:events';

/**
 * Runs `then` once `stream` drains or `closer` (the stream itself unless given) closes: a stream
 * that closes never drains, and a writer waiting for 'drain' alone would wait for ever.
 */
export function afterDrain(stream: EventEmitter, then: () => void, closer: EventEmitter = stream): void {
  const done = () => {
    stream.off('drain', done);
    closer.off('close', done);
    then();
  };
  stream.once('drain', done);
  closer.once('close', done);
}

/** `afterDrain` as a promise. */
export function drained(stream: EventEmitter, closer?: EventEmitter): Promise<void> {
  return new Promise((resolve) => afterDrain(stream, resolve, closer));
}
