#!/usr/bin/env -S node --max-semi-space-size=8
// The CLI runs the compiled code; `npm ci` builds it through the prepare script.
// The first line's node flags are the server's (`npm start` runs this file, not `node` on it):
// V8 lets the main thread's young generation grow to 2 × 16 MiB, and 2 × 8 MiB served the
// 50-user load as fast while weighing 16 MiB less (docs/performance.md); a flag V8 reads only
// when the isolate is made, so it cannot be set from here.
// Blob writes fsync on libuv's thread pool; its default 4 threads serialise concurrent SMTP
// sessions, so size it before anything uses it (the pool starts on first use).
process.env.UV_THREADPOOL_SIZE ??= '32';
const { runCli } = await import('../dist/src/cli/main.js');

process.exitCode = await runCli(process.argv.slice(2));
