import { defineKey } from '../schema.js';
import { boolType, durationType, enumType, intType, sizeType, stringType, type ValueType } from '../types.js';

/** A SpamAssassin score: a decimal number, negative allowed. */
const scoreType: ValueType<number> = {
  name: 'score',
  parse: (t) =>
    /^-?\d+(?:\.\d+)?$/.test(t.trim()) ? Number(t) : { error: `"${t}" is not a score (e.g. 5 or 6.5)` },
  fromFile: (raw) =>
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string'
        ? scoreType.parse(raw)
        : { error: 'expected a score' },
  toFile: (v) => v,
  format: String,
};

const exemptAction = enumType(['skip', 'tag', 'full'] as const);

/** Content scanning at the end of DATA: ClamAV through clamd, and the spam rule engine with Bayes. */
export const scanKeys = [
  defineKey({
    key: 'antivirus.clamd',
    type: stringType,
    default: '',
    description: 'Where clamd listens: host:port or a unix socket path. Empty: no virus scanning.',
    reload: 'live',
  }),
  defineKey({
    key: 'antivirus.fail_open',
    type: boolType,
    default: false,
    description:
      'When clamd cannot be reached, accept mail unscanned (yes) or answer 451 4.7.1 so senders retry (no). Either way it is logged and counted.',
    reload: 'live',
  }),
  defineKey({
    key: 'antivirus.quarantine',
    type: boolType,
    default: false,
    description:
      'Keep a copy of each rejected infected message for the administrator (`mailstead antivirus quarantine`).',
    reload: 'live',
  }),
  defineKey({
    key: 'antivirus.max_part_size',
    type: sizeType,
    default: 20 * 1024 * 1024,
    description: 'Largest single MIME part accepted (encoded size); larger ones get 552 5.3.4. 0: no limit.',
    reload: 'live',
  }),
  defineKey({
    key: 'antivirus.timeout',
    type: durationType,
    default: 60_000,
    description: 'How long clamd may take over one message before it counts as unreachable.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.enabled',
    type: boolType,
    default: true,
    description: 'Score messages at the end of DATA with the local rules (DATA/spam/*.cf), GTUBE and Bayes.',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.stock_rules',
    type: boolType,
    default: false,
    description:
      "Also load SpamAssassin's stock ruleset (/usr/share/spamassassin). The server then peaks at about 280 MB with one worker, and the rules are ready about 12 s after the listeners on a loaded 2-core machine (mail is accepted meanwhile, see spam.unready).",
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.rules_dir',
    type: stringType,
    default: 'spam',
    description:
      'Directory of local rules (*.cf, read in name order after the stock rules), relative to the data directory. Made with a commented local.cf when missing.',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.required_score',
    type: scoreType,
    default: 5,
    description:
      'Score at which a message is spam: tagged and filed into Junk. Users may set their own (`mailstead spam prefs`).',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.reject_score',
    type: scoreType,
    default: 15,
    description:
      'Score at which a message is refused at the end of DATA (550 5.7.1); nothing is stored. 0: never refuse.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.junk_folder',
    type: boolType,
    default: true,
    description: "File spam into the recipient's Junk folder (a Sieve fileinto still decides otherwise).",
    reload: 'live',
  }),
  defineKey({
    key: 'spam.max_size',
    type: sizeType,
    default: 512 * 1024,
    description:
      'Larger messages are not spam-scanned (spammers send small messages; scanning large ones costs memory).',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.trusted_networks',
    type: exemptAction,
    default: 'skip',
    description:
      'Mail from smtp.trusted_networks: skip spam scanning, tag only (never refuse), or scan in full.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.authenticated',
    type: exemptAction,
    default: 'skip',
    description:
      'Mail from authenticated senders: skip spam scanning, tag only (never refuse), or scan in full.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.unready',
    type: enumType(['accept', 'tempfail'] as const),
    default: 'accept',
    description:
      'While the rules are still compiling after start: accept unscanned (with an X-Spam-Checker header saying so) or answer 451 4.7.1.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.workers',
    type: intType(1, 64),
    default: 1,
    description:
      'Worker threads running the rules. Each holds a compiled copy of the ruleset (about 110 MB more peak memory per worker with the stock rules).',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.timeout',
    type: durationType,
    default: 10_000,
    description: 'Longest a message may spend in the rules; a rule that overruns it is disabled.',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.bayes_scope',
    type: enumType(['user', 'global'] as const),
    default: 'user',
    description: "Bayes database per user (learned from that user's mail), or one for the whole server.",
    reload: 'live',
  }),
  defineKey({
    key: 'spam.autolearn',
    type: boolType,
    default: true,
    description:
      'Learn messages scoring below spam.autolearn_ham_score as ham and above spam.autolearn_spam_score as spam.',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.autolearn_ham_score',
    type: scoreType,
    default: 0.1,
    description: 'Auto-learn as ham below this score (rules other than Bayes and allow lists).',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.autolearn_spam_score',
    type: scoreType,
    default: 12,
    description: 'Auto-learn as spam above this score.',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.bayes_min_messages',
    type: intType(0, 1_000_000),
    default: 200,
    description: 'Bayes counts only after this many spam and this many ham messages are learned.',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.reputation',
    type: boolType,
    default: false,
    description:
      "Sender reputation (SpamAssassin's AWL): pull a sender's score halfway toward the mean of its earlier messages. Off by default, as in SpamAssassin: one very high score (GTUBE) drags a sender's later mail with it.",
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.training_folders',
    type: boolType,
    default: true,
    description: 'Give each account "Learn Spam" and "Learn Ham" folders, learned and emptied once a day.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.training_interval',
    type: durationType,
    default: 86_400_000,
    description: 'How often the training folders are learned and emptied.',
    reload: 'restart',
  }),
  defineKey({
    key: 'spam.training_daily_limit',
    type: intType(0, 1_000_000),
    default: 500,
    description:
      'Most messages learned from one account per day (training folders and Junk moves); the rest waits for the next run.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.train_on_move',
    type: boolType,
    default: true,
    description:
      'Moving a message into Junk learns it as spam; moving it out of Junk (except to Trash) learns it as ham.',
    reload: 'live',
  }),
  defineKey({
    key: 'spam.verdict_retention',
    type: durationType,
    default: 30 * 86_400_000,
    description: 'How long the per-message verdicts (rule hits, for "why was this spam") are kept.',
    reload: 'live',
  }),
];
