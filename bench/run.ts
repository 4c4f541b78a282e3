// `npm run bench -- NAME [ARGS…]` runs the benchmark dist/bench/NAME.js (e.g. footprint/idle)
// under the shared bench lock, so two benchmarks never measure each other; with no NAME it lists
// them. Each benchmark is a script of its own, so it runs as a child process, as it would alone.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
const LOCK = '/tmp/mailstead-bench.lock';

/**
 * The benchmarks' entry points: by convention each one's header says how to run it
 * (`node dist/bench/NAME.js …`); the modules they share do not.
 */
function benchmarks(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return benchmarks(path);
    if (!e.name.endsWith('.js') || dir === ROOT) return [];
    const name = relative(ROOT, path).slice(0, -3);
    return readFileSync(path, 'utf8').includes(`dist/bench/${name}.js`) ? [name] : [];
  });
}

const [name, ...args] = process.argv.slice(2);
const all = benchmarks().sort();
if (!name || !all.includes(name)) {
  if (name) console.error(`no benchmark named ${name}`);
  console.log(`Usage: npm run bench -- NAME [ARGS…]   (runs under flock ${LOCK})\n\n${all.join('\n')}`);
  process.exit(name ? 2 : 0);
}
const r = spawnSync('flock', [LOCK, process.execPath, join(ROOT, `${name}.js`), ...args], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
