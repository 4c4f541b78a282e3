/**
 * A gate that lets at most `max` tasks run at once; the others start in the order they came as
 * running ones settle. A task that throws frees its place like one that succeeds.
 */
export function concurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((r) => waiting.push(r));
    else running++;
    try {
      return await task();
    } finally {
      // the place passes straight to the next waiter, so a newcomer cannot take it in between
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
