import type { Config } from '../config/config.js';

/**
 * When a deferred recipient is tried again: the minimal back-off doubled per failed attempt, up
 * to the maximal one; past the queue lifetime the recipient bounces instead.
 */
export function nextRetry(config: Config, attempts: number, receivedAt: number, now: number): { bounce: true } | { bounce: false; at: number } {
  if (now - receivedAt >= config.get<number>('queue.maximal_queue_lifetime')) return { bounce: true };
  const min = config.get<number>('queue.minimal_backoff_time');
  const max = Math.max(min, config.get<number>('queue.maximal_backoff_time'));
  const wait = Math.min(max, min * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return { bounce: false, at: now + wait };
}
