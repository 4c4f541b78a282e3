import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evalMeta, metaDeps, parseMeta } from './meta-expr.js';

const run = (expr: string, vals: Record<string, number>): number =>
  evalMeta(
    parseMeta(expr),
    (n) => vals[n] ?? 0,
    (g) =>
      Object.entries(vals)
        .filter(([k]) => k.startsWith(g.replace('*', '')))
        .reduce((s, [, v]) => s + v, 0),
  );

test('boolean and arithmetic with Perl precedence', () => {
  assert.equal(run('A && !B', { A: 1 }), 1);
  assert.equal(run('A || B && C', { A: 0, B: 1, C: 0 }), 0);
  assert.equal(run('(A + B + C) > 1', { A: 1, C: 1 }), 1);
  assert.equal(run('A * 2 + B >= 3', { A: 1, B: 1 }), 1);
  assert.equal(run('A / 0', { A: 1 }), 0);
  assert.equal(run('rules_matching(__X*) > 1', { __X1: 1, __X2: 1 }), 1);
});

test('dependencies and errors', () => {
  assert.deepEqual([...metaDeps(parseMeta('A && (B || !C)'))].sort(), ['A', 'B', 'C']);
  assert.throws(() => parseMeta('A &&'));
  assert.throws(() => parseMeta('A ; system(1)'));
  assert.throws(() => parseMeta('(A'));
});
