// Public API of the spam scanner, for the SMTP integration and the CLI.
export { SpamScanner } from './scanner.js';
export type { SpamScannerOptions } from './scanner.js';
export { SpamFilter } from './filter.js';
export type { CheckOptions, FilterStores } from './filter.js';
export { SpamEngine } from './engine.js';
export type { SpamResult, SpamHit, AutolearnDecision, ScanOptions } from './engine.js';
export { loadRuleset, parseCf, readCfSources, lint } from './cf-parser.js';
export type { CfSource } from './cf-parser.js';
export type { Ruleset, SpamSettings, LintMessage } from './types.js';
export { Bayes, MemoryBayesStore, bayesTokens, learnId } from './bayes.js';
export type { BayesStore, BayesClass, TokenCounts } from './bayes.js';
export { Reputation, MemoryReputationStore, reputationKey } from './reputation.js';
export type { ReputationStore, ReputationEntry } from './reputation.js';
export { applyResult, spamHeaders, reportText } from './report.js';
export { spamCheck, lintRules, STOCK_RULES_DIR } from './cli.js';
export { evalSupportReport, formatEvalSupport } from './evals.js';
export { prepareMessage } from './message.js';
export type { Envelope } from './header-access.js';
