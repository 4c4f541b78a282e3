import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderConfigDocs } from '../../src/config/docs.js';
import { allKeys } from '../../src/config/registry.js';

test('docs/configuration.md matches the schema (regenerate with `mailstead config docs > docs/configuration.md`)', () => {
  const onDisk = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(onDisk.trimEnd(), renderConfigDocs(allKeys).trimEnd());
});

test('every key has a description and a default its own type accepts', () => {
  for (const k of allKeys) {
    assert.ok(k.description.length > 10, `${k.key} needs a description`);
    const text = k.type.format(k.default);
    const back = k.type.parse(text);
    assert.deepEqual(back, k.default, `${k.key}: default ${text} does not round-trip`);
  }
});
