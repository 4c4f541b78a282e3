#!/usr/bin/env node
// Runs every compiled test file with node's test runner. `--fuzz` runs the property tests long
// (FUZZ_RUNS inputs each) instead of the whole suite.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, suffix, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, suffix, out);
    else if (p.endsWith(suffix)) out.push(p);
  }
  return out;
}

const fuzz = process.argv.includes('--fuzz');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
let files = fuzz
  ? find('dist', '.fuzz.test.js')
  : [...find('dist/src', '.test.js'), ...find('dist/test', '.test.js')];
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
const env = { ...process.env, ...(fuzz ? { FUZZ_RUNS: process.env.FUZZ_RUNS ?? '1000000' } : {}) };
// A hung test fails after 10 minutes instead of stalling the whole run.
const args = ['--test', '--test-reporter=spec', `--test-concurrency=${fuzz ? 1 : 2}`, ...(fuzz ? [] : ['--test-timeout=600000']), ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
process.exit(r.status ?? 1);
