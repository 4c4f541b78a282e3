interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most items in one commit. */
  maxBatch(): number;
  /** Extra time to gather items before a commit starts (0: what arrived by the next turn). */
  delayMs(): number;
}

/**
 * Group commit: callers submit items and wait; items that arrive while a commit runs (or within
 * the gathering delay) go into the next commit together, so N concurrent callers cost one
 * transaction and one fsync instead of N. `commit` returns one result per item, in order; an
 * Error in that list fails its item alone. A batch that throws is retried item by item, so one
 * bad item fails alone either way.
 */
export class GroupCommit<T, R = void> {
  private pending: Pending<T, R>[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly commit: (items: T[]) => Promise<Array<R | Error> | void>,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a commit. */
  get backlog(): number {
    return this.pending.length;
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    const delay = this.opts.delayMs();
    const run = () => {
      this.scheduled = false;
      void this.flush();
    };
    if (delay > 0) setTimeout(run, delay);
    else setImmediate(run);
  }

  private async flush(): Promise<void> {
    if (this.running || !this.pending.length) return;
    this.running = true;
    const batch = this.pending.splice(0, this.opts.maxBatch());
    try {
      settle(batch, await this.commit(batch.map((p) => p.item)));
    } catch (e) {
      if (batch.length === 1) batch[0]!.reject(e);
      else
        for (const p of batch) {
          await this.commit([p.item]).then(
            (r) => settle([p], r),
            (err: unknown) => p.reject(err),
          );
        }
    } finally {
      this.running = false;
      if (this.pending.length) this.schedule();
    }
  }
}

function settle<T, R>(batch: Pending<T, R>[], results: Array<R | Error> | void): void {
  batch.forEach((p, i) => {
    const r = results?.[i];
    if (r instanceof Error) p.reject(r);
    else p.resolve(r as R);
  });
}
