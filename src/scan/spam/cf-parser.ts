// SpamAssassin .cf parser: rules, scores, settings and conditionals, with file/line diagnostics.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { evalMeta, parseMeta } from './meta-expr.js';
import { convertPerlRegex, splitPerlRegex } from './perl-regex.js';
import { defaultSettings } from './types.js';
import type { HeaderSpec, LintMessage, RuleDef, RuleType, Ruleset, SpamSettings } from './types.js';

/** The SpamAssassin version our rules claim to be, for `if (version >= ...)`. */
export const SA_VERSION = 4.000001;

/** Plugins whose rules we can run; `ifplugin` blocks for any other plugin are skipped. */
export const SUPPORTED_PLUGINS = new Set(
  [
    'Check',
    'HeaderEval',
    'BodyEval',
    'MIMEEval',
    'HTMLEval',
    'WLBLEval',
    'Bayes',
    'ReplaceTags',
    'MIMEHeader',
    'FreeMail',
    'RelayEval',
    'URIEval',
    'FromNameSpoof',
  ].map((p) => 'Mail::SpamAssassin::Plugin::' + p),
);

const FEATURES = new Set([
  'Mail::SpamAssassin::Conf::feature_bug6558_free',
  'Mail::SpamAssassin::Conf::feature_welcomelist_blocklist',
  'Mail::SpamAssassin::Conf::perl_min_version_5010000',
  'Mail::SpamAssassin::Plugin::BodyEval::has_check_body_length',
]);

// Directives we accept without acting on them (network tests, reporting, plugin data we do not use).
const IGNORED = new Set(
  (
    'lang reuse test require_version report unsafe_report clear_report_template report_contact loadplugin tryplugin ' +
    'util_rb_tld util_rb_2tld util_rb_3tld url_shortener enlist_uri_host delist_uri_host enlist_addrlist ' +
    'uridnsbl_skip_domain urirhssub urirhsbl uridnsbl uridnssub askdns dns_block_rule dns_local_ports_avoid ' +
    'redirector_pattern adsp_override def_whitelist_auth def_welcomelist_auth def_whitelist_from_dkim ' +
    'def_welcomelist_from_dkim def_whitelist_from_spf def_welcomelist_from_spf whitelist_from_dkim ' +
    'welcomelist_from_dkim whitelist_from_spf welcomelist_from_spf whitelist_auth welcomelist_auth ' +
    'originating_ip_headers internal_networks msa_networks dns_available dns_server skip_rbl_checks ' +
    'uri_detail shortcircuit report_charset fold_headers clear_unsafe_report_template fns_ignore_dkim fns_ignore_headers fns_check envelope_sender_header ' +
    'freemail_import_whitelist_auth ' +
    'freemail_import_welcomelist_auth bayes_path bayes_file_mode bayes_store_module auto_whitelist_path ' +
    'auto_whitelist_file_mode lock_method util_rb_tld normalize_charset dcc_path pyzor_path razor_config ' +
    'textcat_max_languages textcat_optimal_ngrams inactive_report_template unwhitelist_from_rcvd ' +
    'whitelist_bounce_relays welcomelist_bounce_relays always_trust_envelope_sender bayes_token_sources ' +
    'def_whitelist_from_rcvd def_welcomelist_from_rcvd use_razor2 use_pyzor use_dcc'
  ).split(' '),
);

const RULE_TYPES = new Set<RuleType>(['header', 'body', 'rawbody', 'full', 'uri', 'meta', 'mimeheader']);

const LISTS: Record<string, string> = {
  freemail_domains: 'freemail_domains',
  freemail_whitelist: 'freemail_welcomelist',
  freemail_welcomelist: 'freemail_welcomelist',
  whitelist_from: 'welcomelist_from',
  welcomelist_from: 'welcomelist_from',
  blacklist_from: 'blocklist_from',
  blocklist_from: 'blocklist_from',
  whitelist_to: 'welcomelist_to',
  welcomelist_to: 'welcomelist_to',
  blacklist_to: 'blocklist_to',
  blocklist_to: 'blocklist_to',
  whitelist_from_rcvd: 'welcomelist_from',
  welcomelist_from_rcvd: 'welcomelist_from',
  more_spam_to: 'more_spam_to',
  all_spam_to: 'all_spam_to',
};
const UNLISTS: Record<string, string> = {
  unwhitelist_from: 'welcomelist_from',
  unwelcomelist_from: 'welcomelist_from',
  unblacklist_from: 'blocklist_from',
  unblocklist_from: 'blocklist_from',
};

export interface CfSource {
  file: string;
  text: string;
}

export interface ParseOptions {
  /** Reads an `include`d file; defaults to the file system. */
  readFile?: (path: string) => string;
  plugins?: Set<string>;
}

class CfParser {
  readonly lint: LintMessage[] = [];
  readonly rules = new Map<string, RuleDef>();
  readonly settings: SpamSettings = defaultSettings();
  private readonly scores = new Map<string, number[]>();
  private readonly tflags = new Map<string, { flags: Set<string>; maxhits?: number }>();
  private readonly describe = new Map<string, string>();
  private readonly priority = new Map<string, number>();
  private readonly replaceTags = new Map<string, string>();
  private readonly replaceRules = new Set<string>();
  private readonly replacePre = new Map<string, string>();
  private readonly replacePost = new Map<string, string>();
  private readonly replaceInter = new Map<string, string>();
  private replaceStart = '<';
  private replaceEnd = '>';
  private readonly includeDepth: string[] = [];

  constructor(private readonly opts: ParseOptions) {}

  warn(file: string, line: number, message: string, severity: LintMessage['severity'] = 'warning'): void {
    this.lint.push({ file, line, message, severity });
  }

  parseSource(src: CfSource): void {
    if (this.includeDepth.length > 20 || this.includeDepth.includes(src.file)) {
      this.warn(src.file, 0, 'include loop or nesting too deep', 'error');
      return;
    }
    this.includeDepth.push(src.file);
    const stack: { active: boolean; line: number }[] = [];
    const active = (): boolean => stack.every((s) => s.active);
    const lines = src.text.split(/\r?\n/);
    for (let n = 0; n < lines.length; n++) {
      const lineNo = n + 1;
      const line = lines[n]!.replace(/(^|[^\\])#.*$/, '$1')
        .replace(/\\#/g, '#')
        .trim();
      if (!line) continue;
      const m = /^(\S+)\s*(.*)$/.exec(line)!;
      const key = m[1]!.toLowerCase();
      const value = m[2]!;
      if (key === 'ifplugin' || key === 'if') {
        let on = false;
        try {
          on = key === 'ifplugin' ? this.hasPlugin(value.trim()) : this.condition(value);
        } catch (e) {
          this.warn(src.file, lineNo, `bad condition: ${(e as Error).message}`, 'error');
        }
        stack.push({ active: on, line: lineNo });
        continue;
      }
      if (key === 'else') {
        const top = stack[stack.length - 1];
        if (!top) this.warn(src.file, lineNo, 'else without if', 'error');
        else top.active = !top.active;
        continue;
      }
      if (key === 'endif') {
        if (!stack.pop()) this.warn(src.file, lineNo, 'endif without if', 'error');
        continue;
      }
      if (!active()) continue;
      try {
        this.directive(key, value, src.file, lineNo);
      } catch (e) {
        this.warn(src.file, lineNo, (e as Error).message, 'error');
      }
    }
    for (const s of stack) this.warn(src.file, s.line, 'if/ifplugin without endif', 'error');
    this.includeDepth.pop();
  }

  private hasPlugin(name: string): boolean {
    return (this.opts.plugins ?? SUPPORTED_PLUGINS).has(name);
  }

  private condition(expr: string): boolean {
    const vars: number[] = [];
    const slot = (v: boolean | number): string => {
      vars.push(Number(v));
      return `__v${vars.length - 1}`;
    };
    const rewritten = expr
      .replace(/plugin\s*\(\s*([\w:]+)\s*\)/g, (_, p: string) => slot(this.hasPlugin(p)))
      .replace(/can\s*\(\s*([\w:]+)\s*\)/g, (_, f: string) => slot(FEATURES.has(f)))
      .replace(/perl_version/g, () => slot(5.036))
      .replace(/version/g, () => slot(SA_VERSION));
    const node = parseMeta(rewritten);
    const v = evalMeta(
      node,
      (n) => vars[Number(n.slice(3))] ?? 0,
      () => 0,
    );
    return v !== 0;
  }

  private directive(key: string, value: string, file: string, line: number): void {
    if (RULE_TYPES.has(key as RuleType)) return this.rule(key as RuleType, value, file, line);
    const args = value.split(/\s+/).filter(Boolean);
    const num = (): number => {
      const v = Number(args[0]);
      if (!Number.isFinite(v)) throw new Error(`${key}: expected a number, got '${value}'`);
      return v;
    };
    const bool = (): boolean => {
      if (!/^(0|1|yes|no)$/i.test(args[0] ?? '')) throw new Error(`${key}: expected 0 or 1, got '${value}'`);
      return /^(1|yes)$/i.test(args[0]!);
    };
    const s = this.settings;
    const ruleName = (): string => {
      const r = args[0];
      if (!r || !/^\w+$/.test(r)) throw new Error(`${key}: missing or bad rule name`);
      return r;
    };
    if (key in LISTS) {
      const list = LISTS[key]!;
      const addrs = key.endsWith('_rcvd') ? args.slice(0, 1) : args;
      s.lists.set(list, [...(s.lists.get(list) ?? []), ...addrs.map((a) => a.toLowerCase())]);
      return;
    }
    if (key in UNLISTS) {
      const list = UNLISTS[key]!;
      const drop = new Set(args.map((a) => a.toLowerCase()));
      s.lists.set(
        list,
        (s.lists.get(list) ?? []).filter((a) => !drop.has(a)),
      );
      return;
    }
    switch (key) {
      case 'score': {
        const name = ruleName();
        const vals = args.slice(1).map((a) => Number(a.replace(/^\((.*)\)$/, '$1')));
        if ((vals.length !== 1 && vals.length !== 4) || vals.some((v) => !Number.isFinite(v)))
          throw new Error(`score ${name}: expected 1 or 4 numbers`);
        this.scores.set(name, vals.length === 1 ? [vals[0]!, vals[0]!, vals[0]!, vals[0]!] : vals);
        return;
      }
      case 'describe':
        this.describe.set(ruleName(), value.slice(args[0]!.length).trim());
        return;
      case 'tflags': {
        const name = ruleName();
        const flags = new Set<string>();
        let maxhits: number | undefined;
        for (const f of args.slice(1)) {
          const mh = /^maxhits=(\d+)$/.exec(f);
          if (mh) maxhits = Number(mh[1]);
          else flags.add(f);
        }
        this.tflags.set(name, { flags, maxhits });
        return;
      }
      case 'priority': {
        const name = ruleName();
        const p = Number(args[1]);
        if (!Number.isFinite(p)) throw new Error(`priority ${name}: expected a number`);
        this.priority.set(name, p);
        return;
      }
      case 'include': {
        const path = resolve(dirname(file), value.trim());
        const read = this.opts.readFile ?? ((p: string) => readFileSync(p, 'latin1'));
        let text: string;
        try {
          text = read(path);
        } catch {
          throw new Error(`include: cannot read ${path}`);
        }
        this.parseSource({ file: path, text });
        return;
      }
      case 'required_score':
      case 'required_hits':
        s.requiredScore = num();
        return;
      case 'rewrite_header': {
        const h = args[0]?.toLowerCase();
        if (h !== 'subject' && h !== 'from' && h !== 'to')
          throw new Error('rewrite_header: Subject, From or To');
        s.rewriteHeader.set(h, value.slice(args[0]!.length).trim());
        return;
      }
      case 'report_safe': {
        const v = num();
        if (v !== 0 && v !== 1 && v !== 2) throw new Error('report_safe: 0, 1 or 2');
        s.reportSafe = v;
        return;
      }
      case 'add_header': {
        const m = /^(spam|ham|all)\s+([\w-]+)\s+(.*)$/i.exec(value);
        if (!m) throw new Error('add_header: {spam|ham|all} Name value');
        s.addHeaders.push({
          when: m[1]!.toLowerCase() as 'spam',
          name: m[2]!,
          value: m[3]!.replace(/^"(.*)"$/, '$1'),
        });
        return;
      }
      case 'remove_header':
        s.removeHeaders.add(args[1] ?? '');
        return;
      case 'clear_headers':
        s.addHeaders = [];
        return;
      case 'trusted_networks':
        s.trustedNetworks.push(...args);
        return;
      case 'clear_trusted_networks':
        s.trustedNetworks = [];
        return;
      case 'ok_languages':
        s.okLanguages = args;
        return;
      case 'ok_locales':
        s.okLocales = args;
        return;
      case 'use_bayes':
        s.useBayes = bool();
        return;
      case 'bayes_auto_learn':
        s.bayesAutoLearn = bool();
        return;
      case 'bayes_auto_learn_threshold_nonspam':
        s.bayesAutoLearnThresholdNonspam = num();
        return;
      case 'bayes_auto_learn_threshold_spam':
        s.bayesAutoLearnThresholdSpam = num();
        return;
      case 'bayes_min_ham_num':
        s.bayesMinHamNum = num();
        return;
      case 'bayes_min_spam_num':
        s.bayesMinSpamNum = num();
        return;
      case 'bayes_ignore_header':
        s.bayesIgnoreHeaders.add(args[0]?.toLowerCase() ?? '');
        return;
      case 'use_auto_whitelist':
      case 'use_txrep':
        s.useAwl = bool();
        return;
      case 'auto_whitelist_factor':
      case 'txrep_factor':
        s.awlFactor = num();
        return;
      case 'body_part_scan_size':
        s.bodyPartScanSize = num();
        return;
      case 'rawbody_part_scan_size':
        s.rawbodyPartScanSize = num();
        return;
      case 'replace_tag':
        this.replaceTags.set(args[0] ?? '', value.slice((args[0] ?? '').length).trim());
        return;
      case 'replace_pre':
        this.replacePre.set(args[0] ?? '', value.slice((args[0] ?? '').length).trim());
        return;
      case 'replace_post':
        this.replacePost.set(args[0] ?? '', value.slice((args[0] ?? '').length).trim());
        return;
      case 'replace_inter':
        this.replaceInter.set(args[0] ?? '', value.slice((args[0] ?? '').length).trim());
        return;
      case 'replace_rules':
        for (const r of args) this.replaceRules.add(r);
        return;
      case 'replace_start':
        this.replaceStart = args[0] ?? '<';
        return;
      case 'replace_end':
        this.replaceEnd = args[0] ?? '>';
        return;
    }
    if (IGNORED.has(key)) return;
    this.warn(file, line, `unknown directive '${key}'`);
  }

  private rule(type: RuleType, value: string, file: string, line: number): void {
    const m = /^(\w+)\s+(.*)$/.exec(value);
    if (!m) throw new Error(`${type}: expected NAME and a test`);
    const name = m[1]!;
    const spec = m[2]!.trim();
    const def: RuleDef = { name, type, file, line, tflags: new Set(), priority: 0, scores: [0, 0, 0, 0] };
    if (type === 'meta') {
      def.meta = parseMeta(spec);
    } else if (spec.startsWith('eval:')) {
      def.eval = parseEval(spec.slice(5));
    } else if (type === 'header' || type === 'mimeheader') {
      this.headerRule(def, spec);
    } else {
      const p = splitPerlRegex(spec);
      if (!p) throw new Error(`${type} ${name}: expected /regex/ or eval:`);
      def.pattern = p;
    }
    if (this.rules.has(name) && this.rules.get(name)!.type !== type)
      this.warn(file, line, `rule ${name} redefined with a different type`);
    this.rules.set(name, def);
  }

  private headerRule(def: RuleDef, spec: string): void {
    const ex = /^exists:\s*([\w-]+)$/.exec(spec);
    if (ex) {
      def.header = { name: ex[1]!, mods: [], exists: true };
      return;
    }
    const m = /^([\w-]+)((?::\w+)*)\s*([=!])~\s*(.*)$/.exec(spec);
    if (!m) throw new Error(`header ${def.name}: expected 'Header =~ /re/', 'exists:Header' or eval:`);
    let rest = m[4]!.trim();
    const header: HeaderSpec = {
      name: m[1]!,
      mods: m[2]!
        .split(':')
        .filter(Boolean)
        .map((x) => x.toLowerCase()),
    };
    const unset = /\s*\[if-unset:\s*(.*)\]\s*$/.exec(rest);
    if (unset) {
      header.ifUnset = unset[1]!;
      rest = rest.slice(0, unset.index);
    }
    const p = splitPerlRegex(rest);
    if (!p) throw new Error(`header ${def.name}: bad regex`);
    def.header = header;
    def.pattern = p;
    def.negate = m[3] === '!';
  }

  private applyReplaceTags(source: string): string {
    const tag = new RegExp(
      `${esc(this.replaceStart)}(?:(pre|post|inter)\\s+)?([^${esc(this.replaceEnd)}\\s]+)${esc(this.replaceEnd)}`,
      'g',
    );
    let pre = '';
    let post = '';
    let inter = '';
    let lastEnd = -1;
    return source.replace(tag, (all, kind: string | undefined, name: string, offset: number) => {
      if (kind) {
        const table =
          kind === 'pre' ? this.replacePre : kind === 'post' ? this.replacePost : this.replaceInter;
        const v = table.get(name) ?? '';
        if (kind === 'pre') pre = v;
        else if (kind === 'post') post = v;
        else inter = v;
        lastEnd = offset + all.length;
        return '';
      }
      const v = this.expandTag(name, 0);
      if (v === undefined) return all;
      const between = lastEnd === offset && inter ? inter : '';
      lastEnd = offset + all.length;
      return between + pre + v + post;
    });
  }

  /** A tag's value with tags inside it expanded, as ReplaceTags does. */
  private expandTag(name: string, depth: number): string | undefined {
    const v = this.replaceTags.get(name);
    if (v === undefined || depth > 5) return v;
    const inner = new RegExp(
      `${esc(this.replaceStart)}([^${esc(this.replaceEnd)}\\s]+)${esc(this.replaceEnd)}`,
      'g',
    );
    return v.replace(inner, (all, n: string) => this.expandTag(n, depth + 1) ?? all);
  }

  finish(): Ruleset {
    for (const def of this.rules.values()) {
      const tf = this.tflags.get(def.name);
      if (tf) {
        def.tflags = tf.flags;
        def.maxhits = tf.maxhits;
      }
      def.description = this.describe.get(def.name);
      def.priority = this.priority.get(def.name) ?? 0;
      const sc = this.scores.get(def.name);
      if (def.name.startsWith('__')) def.scores = [0, 0, 0, 0];
      else if (sc) def.scores = sc.slice(0, 4) as RuleDef['scores'];
      else {
        const base = (def.name.startsWith('T_') ? 0.01 : 1) * (def.tflags.has('nice') ? -1 : 1);
        def.scores = [base, base, base, base];
      }
      if (def.pattern) {
        const source = this.replaceRules.has(def.name)
          ? this.applyReplaceTags(def.pattern.source)
          : def.pattern.source;
        const conv = convertPerlRegex(source, def.pattern.flags);
        for (const w of conv.warnings) this.warn(def.file, def.line, `${def.name}: ${w}`);
        if (conv.re) def.re = conv.re;
        else {
          this.warn(
            def.file,
            def.line,
            `${def.name}: regex not supported (${conv.error}); rule disabled`,
            'error',
          );
          def.scores = [0, 0, 0, 0];
          def.tflags.add('disabled');
        }
      }
    }
    for (const name of this.scores.keys())
      if (!this.rules.has(name)) this.warn('', 0, `score set for unknown rule ${name}`);
    return { rules: this.rules, settings: this.settings, lint: this.lint };
  }
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** `fn('a', 2, "b")` -> { fn, args } with quotes removed. */
export function parseEval(text: string): { fn: string; args: string[] } {
  const m = /^\s*(\w+)\s*(?:\((.*)\))?\s*$/.exec(text);
  if (!m) throw new Error(`bad eval call: ${text}`);
  const args: string[] = [];
  const re = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,]*?))\s*(?:,|$)/gy;
  const inner = m[2] ?? '';
  let pos = 0;
  while (pos < inner.length) {
    re.lastIndex = pos;
    const a = re.exec(inner);
    if (!a || re.lastIndex === pos) break;
    args.push(a[1] ?? a[2] ?? a[3] ?? '');
    pos = re.lastIndex;
  }
  return { fn: m[1]!, args };
}

/** Parses .cf sources in order (later settings win, as in SpamAssassin). */
export function parseCf(sources: CfSource[], opts: ParseOptions = {}): Ruleset {
  const p = new CfParser(opts);
  for (const s of sources) p.parseSource(s);
  return p.finish();
}

/** Expands files and directories (a directory's *.cf in name order) into sources. */
export function readCfSources(paths: string[]): CfSource[] {
  const out: CfSource[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p)
        .filter((n) => n.endsWith('.cf'))
        .sort())
        out.push({ file: join(p, f), text: readFileSync(join(p, f), 'latin1') });
    } else out.push({ file: p, text: readFileSync(p, 'latin1') });
  }
  return out;
}

/** Loads rules from files and directories. */
export function loadRuleset(paths: string[], opts: ParseOptions = {}): Ruleset {
  return parseCf(readCfSources(paths), opts);
}

/** Diagnostics for a set of .cf files: parse errors, unknown directives, unsupported regexes. */
export function lint(files: string[], opts: ParseOptions = {}): LintMessage[] {
  return loadRuleset(files, opts).lint;
}
