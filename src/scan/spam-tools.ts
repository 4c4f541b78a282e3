// What `mailstead spam check` and `spam lint` compute: the configured rules, Bayes read-only.
import type { Config } from '../config/config.js';
import type { SpamStore } from '../store/spam/spam-store.js';
import { localRulesDir, ruleSources } from './rule-sources.js';
import type { BayesStore } from './spam/bayes.js';
import { parseCf } from './spam/cf-parser.js';
import { lintRules, STOCK_RULES_DIR } from './spam/cli.js';
import { SpamEngine, type SpamResult } from './spam/engine.js';
import { SpamFilter } from './spam/filter.js';
import { applyResult, reportText } from './spam/report.js';
import type { LintMessage } from './spam/types.js';

/** Bayes lookups without learning: a check must not change what it measures. */
function readOnly(store: BayesStore): BayesStore {
  return {
    totals: (u) => store.totals(u),
    tokens: (u, t) => store.tokens(u, t),
    seen: (u, id) => store.seen(u, id),
    apply: async () => undefined,
  };
}

/** Like `spamassassin -t`: the processed message followed by the report. */
export async function checkMessage(
  config: Config,
  store: SpamStore,
  raw: Buffer,
  owner: string,
  stock?: boolean,
): Promise<{ result: SpamResult; text: string }> {
  const ruleset = parseCf(ruleSources(config, stock));
  const filter = new SpamFilter(new SpamEngine(ruleset), { bayes: readOnly(store.bayes) });
  const result = await filter.check(raw, { user: owner });
  const processed = applyResult(raw, result, { ...ruleset.settings, reportSafe: 0 }).toString('latin1');
  return { result, text: `${processed}${processed.endsWith('\n') ? '' : '\n'}\n${reportText(result)}` };
}

/** Problems in the local rules (and the stock ones when they are enabled), with file and line. */
export function lintLocalRules(
  config: Config,
  stock = config.get<boolean>('spam.stock_rules'),
): LintMessage[] {
  return lintRules([...(stock ? [STOCK_RULES_DIR] : []), localRulesDir(config)]);
}
