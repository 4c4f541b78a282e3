import type { KeyDef } from './schema.js';

/** docs/configuration.md, rendered from the schema (a test keeps the file in step with it). */
export function renderConfigDocs(keys: readonly KeyDef[]): string {
  const sections = new Map<string, KeyDef[]>();
  for (const k of keys) {
    const s = k.key.split('.')[0]!;
    if (!sections.has(s)) sections.set(s, []);
    sections.get(s)!.push(k);
  }
  const lines = [
    '# Configuration reference',
    '',
    'Generated from the schema in `src/config/keys/` by `mailstead config docs`; do not edit by hand.',
    '',
    'Settings live in `mailstead.toml` in the data directory. Change them with',
    '`mailstead config set KEY VALUE` (validated; a bad value is refused and nothing changes) or by',
    'editing the file. A running server applies *live* settings at once and logs which *restart*',
    'settings need a restart.',
    '',
  ];
  for (const [section, defs] of sections) {
    lines.push(
      `## ${section}`,
      '',
      '| key | type | default | applies | description |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const d of defs) {
      const dflt = d.secret ? '(secret)' : d.type.format(d.default) || '(empty)';
      lines.push(
        `| \`${d.key}\` | ${d.type.name} | \`${dflt.replaceAll('|', '\\|')}\` | ${d.reload} | ${d.description.replaceAll('|', '\\|')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
