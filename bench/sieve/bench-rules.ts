import type { Rule } from '../../src/sieve/rules.js';

/**
 * `count` rules of the rule editor's shapes (subject/from contains, header exists, all/any); only
 * the last matches the benchmark's messages, so every rule is evaluated for every message.
 */
export function benchRules(count: number): Omit<Rule, 'id'>[] {
  const last = count - 1;
  return Array.from({ length: count }, (_, i) => ({
    name: `rule ${i + 1}`,
    enabled: true,
    match: i % 2 ? 'any' : 'all',
    conditions: [
      { field: 'subject', op: 'contains', value: i === last ? 'weekly report' : `project-${i}` },
      ...(i % 3 === 0
        ? [
            {
              field: 'from' as const,
              op: 'contains' as const,
              value: i === last ? '@' : `@vendor-${i}.example`,
            },
          ]
        : []),
      ...(i % 5 === 0 && i !== last
        ? [{ field: 'header' as const, header: `X-List-${i}`, op: 'exists' as const, value: '' }]
        : []),
    ],
    actions: [{ type: 'fileinto', folder: i === last ? 'Reports' : `Folder-${i}` }],
    stop: true,
  }));
}
