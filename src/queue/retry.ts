import type { Config } from '../config/config.js';

/**
 * When a deferred recipient is tried again: the minimal back-off doubled per failed attempt, up
 * to the maximal one; past the queue lifetime (the shorter bounce lifetime for mail from the
 * null sender) the recipient bounces instead.
 */
export function nextRetry(
  config: Config,
  attempts: number,
  receivedAt: number,
  now: number,
  nullSender = false,
): { bounce: true } | { bounce: false; at: number } {
  const lifetime = config.get<number>(
    nullSender ? 'queue.bounce_queue_lifetime' : 'queue.maximal_queue_lifetime',
  );
  if (now - receivedAt >= lifetime) return { bounce: true };
  const min = config.get<number>('queue.minimal_backoff_time');
  const max = Math.max(min, config.get<number>('queue.maximal_backoff_time'));
  const wait = Math.min(max, min * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return { bounce: false, at: now + wait };
}
