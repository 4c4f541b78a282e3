#!/usr/bin/env node
// Builds the admin UI into dist/web/admin/: one script and one stylesheet, named by their content's hash
// so the server can let browsers keep them for a year (a new build has new names), plus index.html
// pointing at them. One bundle instead of ~25 ES modules: the browser fetched those in three waves
// (main, its imports, the pages), each a round trip through a busy server before the first API call.
// Type checking is tsc's job (`tsc -p web/admin/tsconfig.json` runs first); esbuild only strips types.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

// A checkout whose node_modules predates esbuild in package.json would fail here with a bare
// ERR_MODULE_NOT_FOUND; say what to do instead.
const { build } = await import('esbuild').catch((e) => {
  console.error(
    `build-web: esbuild is not installed (${e.code}); run \`npm install\` to add the devDependency`,
  );
  process.exit(1);
});

const OUT = 'dist/web/admin';
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const result = await build({
  entryPoints: { 'js/main': 'web/admin/src/main.ts', 'assets/admin': 'web/admin/assets/admin.css' },
  outdir: OUT,
  entryNames: '[dir]/[name]-[hash]',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});

/** The hashed output of each entry, by the path index.html refers to it with. */
const outputs = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint) continue;
  const relative = file.slice(OUT.length + 1);
  const source = meta.entryPoint.endsWith('.css') ? 'assets/admin.css' : 'js/main.js';
  outputs[source] = relative;
  // Served as is when the browser accepts it: compressing once here, not on every request.
  const body = readFileSync(file);
  writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
}

let html = readFileSync('web/admin/index.html', 'utf8');
for (const [source, hashed] of Object.entries(outputs)) {
  if (!html.includes(`"${source}"`)) throw new Error(`web/admin/index.html does not refer to ${source}`);
  html = html.replace(`"${source}"`, `"${hashed}"`);
}
writeFileSync(`${OUT}/index.html`, html);
