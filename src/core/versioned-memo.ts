/**
 * Answers remembered while a version stays the same (a store's change version, see
 * store/change-version.ts): every `get` reads the version first, and a different one forgets
 * everything. An answer is kept only when the version has not moved since it was read before
 * the answer was loaded, so an answer loaded across a change is never kept under the newer
 * version. Answers are frozen: callers share them.
 */
export class VersionedMemo<T> {
  private version: number | undefined;
  private readonly answers = new Map<string, T>();

  constructor(
    private readonly readVersion: () => Promise<number>,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const version = await this.readVersion();
    if (version !== this.version) {
      this.answers.clear();
      this.version = version;
    }
    if (this.answers.has(key)) return this.answers.get(key)!;
    const answer = deepFreeze(await load());
    if (this.version === version) {
      if (this.answers.size >= this.maxEntries) this.answers.delete(this.answers.keys().next().value!);
      this.answers.set(key, answer);
    }
    return answer;
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
