/** How many inputs each property test tries: a few hundred in `npm test`, FUZZ_RUNS in `npm run fuzz`. */
export function fuzzRuns(quick = 300): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(n) && n > 0 ? n : quick;
}
