#!/usr/bin/env node
// The CLI runs the compiled code; `npm ci` builds it through the prepare script.
// Blob writes fsync on libuv's thread pool; its default 4 threads serialise concurrent SMTP
// sessions, so size it before anything uses it (the pool starts on first use).
process.env.UV_THREADPOOL_SIZE ??= '32';
const { runCli } = await import('../dist/src/cli/main.js');

process.exitCode = await runCli(process.argv.slice(2));
