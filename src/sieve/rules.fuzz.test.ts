import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../test/support/fuzz.js';
import {
  compileRules,
  parseRules,
  type Condition,
  type Rule,
  type RuleAction,
  type Vacation,
} from './rules.js';
import { compileSieve } from './validator.js';

const text = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('${hex:41}', '#', '"\\', '\n# {"rule":1}'),
);
const flag = fc.stringMatching(/^[A-Za-z$\\][A-Za-z0-9_$]{0,8}$/);
const date = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const condition: fc.Arbitrary<Condition> = fc
  .oneof(
    fc.record({
      field: fc.constant('size' as const),
      op: fc.constantFrom('over' as const, 'under' as const),
      value: fc.stringMatching(/^[0-9]{1,6}[KMG]?$/),
    }),
    fc.record({
      field: fc.constantFrom('from' as const, 'to' as const, 'cc' as const, 'subject' as const),
      op: fc.constantFrom(
        'contains' as const,
        'not-contains' as const,
        'is' as const,
        'not-is' as const,
        'matches' as const,
      ),
      value: text,
    }),
    fc.record({
      field: fc.constant('header' as const),
      header: text,
      op: fc.constantFrom('contains' as const, 'is' as const, 'not-is' as const),
      value: text,
    }),
    fc
      .record({
        field: fc.constantFrom('from' as const, 'header' as const),
        op: fc.constant('exists' as const),
        value: fc.constant(''),
      })
      .map((c) => (c.field === 'header' ? { ...c, header: 'X-Y' } : c)),
  )
  .map((c) => ({ ...c }));
const copy = fc.option(fc.constant({ copy: true as const }), { nil: undefined }).map((c) => c ?? {});
const action: fc.Arbitrary<RuleAction> = fc.oneof(
  fc.tuple(text, copy).map(([folder, c]) => ({ type: 'fileinto' as const, folder, ...c })),
  fc.tuple(text, copy).map(([address, c]) => ({ type: 'redirect' as const, address, ...c })),
  text.map((message) => ({ type: 'reject' as const, message })),
  fc.constantFrom({ type: 'discard' as const }, { type: 'keep' as const }),
  fc.array(flag, { minLength: 1, maxLength: 3 }).map((flags) => ({ type: 'flag' as const, flags })),
);
const rule: fc.Arbitrary<Rule> = fc
  .record({
    id: text,
    name: text,
    enabled: fc.boolean(),
    match: fc.constantFrom('all' as const, 'any' as const),
    conditions: fc.array(condition, { maxLength: 4 }),
    actions: fc.array(action, { maxLength: 4 }),
    stop: fc.boolean(),
  })
  .map((r) => ({ ...r }));
const vacation: fc.Arbitrary<Vacation> = fc
  .record({
    enabled: fc.boolean(),
    from: fc.option(date, { nil: undefined }),
    until: fc.option(date, { nil: undefined }),
    subject: text,
    text,
    addresses: fc.array(text, { maxLength: 3 }),
    days: fc.integer({ min: 1, max: 365 }),
  })
  .map(({ from, until, ...v }) => ({
    enabled: v.enabled,
    ...(from ? { from } : {}),
    ...(until ? { until } : {}),
    subject: v.subject,
    text: v.text,
    addresses: v.addresses,
    days: v.days,
  }));

test('parseRules(compileRules(x)) deep-equals x, and the script is valid Sieve syntax', () => {
  fc.assert(
    fc.property(fc.array(rule, { maxLength: 5 }), fc.option(vacation, { nil: undefined }), (rules, vac) => {
      const script = compileRules(rules, vac);
      assert.deepEqual(parseRules(script), vac ? { rules, vacation: vac } : { rules });
      try {
        compileSieve(script);
      } catch (e) {
        // Only a user's regex or match pattern can make a generated script invalid.
        assert.ok(/regular expression/.test((e as Error).message), (e as Error).message);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});
