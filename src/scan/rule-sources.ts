// Which .cf sources the spam workers load: the stock ruleset when asked for, the local rules in
// the data directory, and last the values the Mailstead config owns (so `config set` wins).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { readCfSources, type CfSource } from './spam/cf-parser.js';
import { STOCK_RULES_DIR } from './spam/cli.js';

const LOCAL_CF = `# Local SpamAssassin rules and settings for Mailstead (read at start; check with \`mailstead spam lint\`).
# Thresholds and auto-learning are set with \`mailstead config set spam.*\`, not here.
rewrite_header Subject *****SPAM*****
# 0: tag only; 1: wrap spam as an attachment; 2: wrap as text/plain
report_safe 0

# body     LOCAL_EXAMPLE  /cheap watches/i
# score    LOCAL_EXAMPLE  3.0
# describe LOCAL_EXAMPLE  Sells watches
`;

/** spam.rules_dir (DATA/spam): the local rules; made with a commented local.cf on first use. */
export function localRulesDir(config: Config): string {
  const dir = config.path('spam.rules_dir');
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'local.cf'), LOCAL_CF);
  }
  return dir;
}

/** The settings owned by the Mailstead config, as SpamAssassin directives. */
export function configCf(config: Config): CfSource {
  const lines = [
    `required_score ${config.get<number>('spam.required_score')}`,
    `bayes_auto_learn ${config.get<boolean>('spam.autolearn') ? 1 : 0}`,
    `bayes_auto_learn_threshold_nonspam ${config.get<number>('spam.autolearn_ham_score')}`,
    `bayes_auto_learn_threshold_spam ${config.get<number>('spam.autolearn_spam_score')}`,
    `bayes_min_ham_num ${config.get<number>('spam.bayes_min_messages')}`,
    `bayes_min_spam_num ${config.get<number>('spam.bayes_min_messages')}`,
    `use_auto_whitelist ${config.get<boolean>('spam.reputation') ? 1 : 0}`,
  ];
  return { file: '(mailstead config)', text: lines.join('\n') + '\n' };
}

/** Everything the workers load, in order. `stock` false leaves out /usr/share/spamassassin. */
export function ruleSources(config: Config, stock = config.get<boolean>('spam.stock_rules')): CfSource[] {
  return [
    ...(stock ? readCfSources([STOCK_RULES_DIR]) : []),
    ...readCfSources([localRulesDir(config)]),
    configCf(config),
  ];
}
