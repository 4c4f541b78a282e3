#!/usr/bin/env node
// npm links the bins of dependencies, not the project's own; link ours so that `npx mailstead`
// runs this checkout right after `npm ci` instead of fetching and building a copy.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/mailstead', { force: true });
symlinkSync('../../bin/mailstead.js', 'node_modules/.bin/mailstead');
chmodSync('bin/mailstead.js', 0o755);
