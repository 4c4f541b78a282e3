// The parsed form of a SpamAssassin configuration: rules, scores and settings.
import type { MetaNode } from './meta-expr.js';

export type RuleType = 'header' | 'body' | 'rawbody' | 'full' | 'uri' | 'meta' | 'mimeheader';

export interface LintMessage {
  file: string;
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface HeaderSpec {
  /** Header name, or a pseudo header: ALL, ToCc, EnvelopeFrom, MESSAGEID. */
  name: string;
  /** Modifiers after the name: raw, addr, name, first, last, host, domain. */
  mods: string[];
  exists?: boolean;
  ifUnset?: string;
}

export interface EvalCall {
  fn: string;
  args: string[];
}

export interface RuleDef {
  name: string;
  type: RuleType;
  file: string;
  line: number;
  /** The regex as written (Perl), converted at finalize so replace tags can apply. */
  pattern?: { source: string; flags: string };
  re?: RegExp;
  negate?: boolean;
  header?: HeaderSpec;
  eval?: EvalCall;
  meta?: MetaNode;
  description?: string;
  tflags: Set<string>;
  maxhits?: number;
  priority: number;
  /** Scores for the four score sets (bayes off/on x net off/on); 0 means disabled. */
  scores: [number, number, number, number];
}

export interface AddHeader {
  when: 'spam' | 'ham' | 'all';
  name: string;
  value: string;
}

export interface SpamSettings {
  requiredScore: number;
  rewriteHeader: Map<string, string>;
  reportSafe: 0 | 1 | 2;
  addHeaders: AddHeader[];
  removeHeaders: Set<string>;
  /** Addresses (globs) by list: whitelist_from and welcomelist_from share `welcomelist_from`. */
  lists: Map<string, string[]>;
  trustedNetworks: string[];
  okLanguages: string[];
  okLocales: string[];
  useBayes: boolean;
  bayesAutoLearn: boolean;
  bayesAutoLearnThresholdNonspam: number;
  bayesAutoLearnThresholdSpam: number;
  bayesMinHamNum: number;
  bayesMinSpamNum: number;
  bayesIgnoreHeaders: Set<string>;
  useAwl: boolean;
  awlFactor: number;
  bodyPartScanSize: number;
  rawbodyPartScanSize: number;
}

export interface Ruleset {
  rules: Map<string, RuleDef>;
  settings: SpamSettings;
  lint: LintMessage[];
}

export function defaultSettings(): SpamSettings {
  return {
    requiredScore: 5,
    rewriteHeader: new Map(),
    reportSafe: 1,
    addHeaders: [],
    removeHeaders: new Set(),
    lists: new Map(),
    trustedNetworks: [],
    okLanguages: ['all'],
    okLocales: ['all'],
    useBayes: true,
    bayesAutoLearn: true,
    bayesAutoLearnThresholdNonspam: 0.1,
    bayesAutoLearnThresholdSpam: 12,
    bayesMinHamNum: 200,
    bayesMinSpamNum: 200,
    bayesIgnoreHeaders: new Set(),
    useAwl: false,
    awlFactor: 0.5,
    bodyPartScanSize: 50_000,
    rawbodyPartScanSize: 500_000,
  };
}
