/** How many inputs each property test tries: a few hundred in `npm test`, FUZZ_RUNS in `npm run fuzz`. */
export function fuzzRuns(quick = 300): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(n) && n > 0 ? n : quick;
}

/** `buf` cut where a socket might have, at `cuts` (each modulo its length + 1); pieces may be empty. */
export function cutAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

/** `cutAt` without the empty pieces: what a stream's 'data' events deliver. */
export function cutNonEmpty(buf: Buffer, cuts: readonly number[]): Buffer[] {
  return cutAt(buf, cuts).filter((b) => b.length);
}
