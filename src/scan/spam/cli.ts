// Functions behind the `mailstead spam` commands (wired elsewhere).
import { loadRuleset } from './cf-parser.js';
import { SpamEngine } from './engine.js';
import { EVALS } from './evals.js';
import { metaDeps } from './meta-expr.js';
import { applyResult, reportText } from './report.js';
import type { LintMessage, Ruleset } from './types.js';

export const STOCK_RULES_DIR = '/usr/share/spamassassin';

/** Like `spamassassin -t`: the processed message followed by the report. */
export function spamCheck(raw: Buffer, rules: Ruleset | string[] = [STOCK_RULES_DIR]): string {
  const ruleset = Array.isArray(rules) ? loadRuleset(rules) : rules;
  const result = new SpamEngine(ruleset).scan(raw);
  // -t shows the report even for ham, without wrapping the message
  const processed = applyResult(raw, result, { ...ruleset.settings, reportSafe: 0 }).toString('latin1');
  return `${processed}${processed.endsWith('\n') ? '' : '\n'}\n${reportText(result)}`;
}

/** Like `spamassassin --lint`: parse problems, plus eval functions we do not run and metas over unknown rules. */
export function lintRules(paths: string[]): LintMessage[] {
  const ruleset = loadRuleset(paths);
  const out = [...ruleset.lint];
  for (const r of ruleset.rules.values()) {
    if (r.eval && !(r.eval.fn in EVALS))
      out.push({
        file: r.file,
        line: r.line,
        message: `${r.name}: eval:${r.eval.fn} is not implemented; rule never hits`,
        severity: 'warning',
      });
    if (r.meta)
      for (const d of metaDeps(r.meta))
        if (!/[*?]/.test(d) && !ruleset.rules.has(d))
          out.push({
            file: r.file,
            line: r.line,
            message: `${r.name}: meta refers to unknown rule ${d}`,
            severity: 'warning',
          });
  }
  return out;
}
