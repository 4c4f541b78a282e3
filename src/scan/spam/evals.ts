// The eval: functions of SpamAssassin's stock plugins that carry weight in the Debian ruleset.
// Each answers from the prepared message only; network and plugin-data tests are not here.
import { firstAddress, headerForRule } from './header-access.js';
import type { Envelope } from './header-access.js';
import type { HtmlInfo } from './html.js';
import { headerValues } from './message.js';
import type { PreparedMessage } from './message.js';
import { relayPath } from './relays.js';
import { decodeBody, headerValue } from './mime.js';
import type { RuleDef, Ruleset, SpamSettings } from './types.js';

export interface EvalContext {
  msg: PreparedMessage;
  settings: SpamSettings;
  env?: Envelope;
  /** Bayes spam probability, undefined when Bayes is off or untrained */
  bayes?: number;
}

type EvalFn = (ctx: EvalContext, args: string[]) => boolean;

const num = (s: string | undefined, dflt: number): number => {
  if (s === undefined || s === 'undef') return dflt;
  const v = s === 'inf' ? Infinity : Number(s);
  return Number.isFinite(v) || v === Infinity ? v : dflt;
};

function hdr(ctx: EvalContext, name: string): string | undefined {
  const [n, ...mods] = name.split(':');
  return headerForRule(ctx.msg, { name: n!, mods }, ctx.env);
}

function globMatch(list: string[] | undefined, addrs: string[]): boolean {
  if (!list?.length) return false;
  const res = list.map(
    (g) =>
      new RegExp(
        '^' +
          g
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.') +
          '$',
        'i',
      ),
  );
  return addrs.some((a) => res.some((r) => r.test(a)));
}

function fromAddrs(ctx: EvalContext): string[] {
  const out: string[] = [];
  for (const h of [
    'From',
    'Resent-From',
    'Envelope-Sender',
    'Resent-Sender',
    'X-Envelope-From',
    'EnvelopeFrom',
  ]) {
    const v = hdr(ctx, h);
    if (v) for (const line of v.split('\n').filter(Boolean)) out.push(firstAddress(line).toLowerCase());
  }
  return out;
}

function toAddrs(ctx: EvalContext): string[] {
  const v = [hdr(ctx, 'ToCc') ?? '', ...(ctx.env?.to ?? [])].join(',');
  return [...v.matchAll(/[^\s<>",;:()]+@[^\s<>",;:()]+/g)].map((m) => m[0].toLowerCase());
}

const FARAWAY: [RegExp, string][] = [
  [/^(?:iso-2022-jp|shift_jis|euc-jp|sjis)/i, 'ja'],
  [/^(?:euc-kr|ks_c_5601|iso-2022-kr)/i, 'ko'],
  [/^(?:gb2312|gbk|gb18030|big5|hz-gb)/i, 'zh'],
  [/^(?:koi8-r|windows-1251|iso-8859-5)/i, 'ru'],
  [/^(?:tis-620|windows-874)/i, 'th'],
  [/^(?:iso-8859-7|windows-1253)/i, 'el'],
];
function faraway(ctx: EvalContext, charset: string | undefined): boolean {
  if (!charset || ctx.settings.okLocales.includes('all')) return false;
  const locale = FARAWAY.find(([re]) => re.test(charset))?.[1];
  return locale !== undefined && !ctx.settings.okLocales.includes(locale);
}

const MONTHS = 'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ');
const TZ: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  WET: 0,
  NDT: -230,
  AST: -400,
  ADT: -300,
  NST: -330,
  EST: -500,
  EDT: -400,
  CST: -600,
  CDT: -500,
  MST: -700,
  MDT: -600,
  PST: -800,
  PDT: -700,
  HST: -1000,
  AKST: -900,
  AKDT: -800,
  HADT: -900,
  HAST: -1000,
  BST: 100,
  IST: 100,
  WEST: 100,
  CET: 100,
  CEST: 200,
  EET: 200,
  EEST: 300,
  MSK: 300,
  MSD: 400,
  MET: 100,
  MEZ: 100,
  MEST: 200,
  MESZ: 200,
  BRST: -200,
  BRT: -300,
};

/** Util::parse_rfc822_date: seconds since the epoch, clamped as SpamAssassin clamps, or undefined. */
export function parseRfc822Date(date: string): number | undefined {
  let s = ` ${date} `.replace(/, */g, ' ').replace(/\s+/g, ' ');
  let dd: number, mon: string, yyyy: number;
  const cut = (m: RegExpExecArray): void => {
    s = s.slice(0, m.index) + ' ' + s.slice(m.index + m[0].length);
  };
  const mons = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
  let m: RegExpExecArray | null;
  if ((m = new RegExp(` (\\d+) ${mons} (\\d{4}) `, 'i').exec(s))) [dd, mon, yyyy] = [+m[1]!, m[2]!, +m[3]!];
  else if ((m = new RegExp(` ${mons} +(\\d+) \\d+:\\d+:\\d+ (\\d{4}) `, 'i').exec(s)))
    [dd, mon, yyyy] = [+m[2]!, m[1]!, +m[3]!];
  else if ((m = new RegExp(` (\\d+) ${mons} (\\d{2,3}) `, 'i').exec(s))) {
    [dd, mon, yyyy] = [+m[1]!, m[2]!, +m[3]!];
    yyyy += m[3]!.length === 2 && yyyy < 50 ? 2000 : 1900;
  } else return undefined;
  cut(m);
  let [hh, mm, ss] = [0, 0, 0];
  const t = / (\d?\d):(\d\d)(?::(\d\d))? /.exec(s);
  if (t) {
    [hh, mm, ss] = [+t[1]!, +t[2]!, +(t[3] ?? 0)];
    cut(t);
  }
  let tz = 0;
  const off = / ([-+])(\d\d)(\d\d) /.exec(s);
  const name = off ? null : /\b([A-Z]{2,4})\b/.exec(s);
  if (off) tz = (off[1] === '-' ? -1 : 1) * (+off[2]! * 60 + +off[3]!);
  else if (name && TZ[name[1]!] !== undefined) {
    const v = TZ[name[1]!]!;
    tz = Math.sign(v) * (Math.floor(Math.abs(v) / 100) * 60 + (Math.abs(v) % 100));
  }
  let month = MONTHS.indexOf(mon.toLowerCase());
  [ss, mm, hh] = [Math.min(ss, 59), Math.min(mm, 59), Math.min(hh, 23)];
  const maxDd = [3, 5, 8, 10].includes(month)
    ? 30
    : month === 1
      ? yyyy % 4 === 0 && (yyyy % 100 !== 0 || yyyy % 400 === 0)
        ? 29
        : 28
      : 31;
  if (dd > maxDd) {
    dd = 1;
    if (++month > 11) [month, yyyy] = [0, yyyy + 1];
  }
  yyyy = Math.min(2037, Math.max(1970, yyyy));
  const time = Date.UTC(yyyy, month, dd, hh, mm, ss) / 1000 - tz * 60;
  return Math.max(0, time);
}

interface DateFacts {
  date?: number;
  /** Received dates, newest hop first, after SpamAssassin's local/fetchmail hand-over handling */
  received: number[];
}
const dateCache = new WeakMap<PreparedMessage, DateFacts>();
/** HeaderEval's _get_date_header_time and _get_received_header_times. */
function dateFacts(ctx: EvalContext): DateFacts {
  let f = dateCache.get(ctx.msg);
  if (f) return f;
  let date: number | undefined;
  for (const h of ['Resent-Date', 'Date']) {
    for (const v of headerValues(ctx.msg, h)) if (v.trim()) date ??= parseRfc822Date(v.trim());
    if (date !== undefined) break;
  }
  const received = headerValues(ctx.msg, 'Received').filter((r) => /\S/.test(r));
  const local: string[] = [];
  if (
    received.length &&
    (/\bfrom (?:localhost\s|(?:\S+ ){1,2}\S*\b127\.0\.0\.1\b)/.test(received[0]!) ||
      /qmail \d+ invoked by uid \d+/.test(received[0]!))
  )
    local.push(received.shift()!);
  if (received.length && /\bby localhost with \w+ \(fetchmail-[\d.]+/.test(received[0]!))
    local.push(received.shift()!);
  else if (local.length) received.unshift(local.shift()!);
  const times: number[] = [];
  for (const r of received) {
    const m = /(\s.?\d+ \S\S\S \d+ \d+:\d+:\d+ \S+)/.exec(r);
    const t = m ? parseRfc822Date(m[1]!) : undefined;
    if (t !== undefined) times.push(t);
  }
  f = { date, received: times };
  dateCache.set(ctx.msg, f);
  return f;
}

/** HeaderEval's _check_date_diff: Date minus the nearest Received time. */
function dateDiff(ctx: EvalContext): number {
  const { date, received } = dateFacts(ctx);
  if (date === undefined || !received.length) return 0;
  const diffs = received.map((t) => date - t);
  if (diffs.length > 1 && diffs[diffs.length - 1] === 0) diffs.pop();
  return diffs.reduce((best, d) => (Math.abs(d) < Math.abs(best) ? d : best));
}

function htmlAll(ctx: EvalContext): HtmlInfo | undefined {
  return ctx.msg.html[0];
}

function htmlValue(h: HtmlInfo, test: string): number | undefined {
  switch (test) {
    case 'length':
      return h.sourceLength;
    case 'non_space_len':
      return h.text.length - (h.text.match(/\s/g) ?? []).length;
    case 'max_size':
      return h.maxFontSize;
    case 'bad_tag_ratio':
    case 'non_element_ratio':
      return h.elements ? h.badTags / h.elements : 0;
    case 'closed_extra_ratio':
      return h.elements ? h.closedExtra / h.elements : 0;
    default:
      return undefined;
  }
}

function compare(value: number, expr: string): boolean {
  const m = /^\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(expr);
  if (!m) return false;
  const b = Number(m[2]);
  return {
    '<': value < b,
    '>': value > b,
    '<=': value <= b,
    '>=': value >= b,
    '==': value === b,
    '!=': value !== b,
  }[m[1]!]!;
}

interface MimeFacts {
  tests: Set<string>;
  maxBase64Line: number;
}
const mimeCache = new WeakMap<PreparedMessage, MimeFacts>();
function mimeFacts(msg: PreparedMessage): MimeFacts {
  let f = mimeCache.get(msg);
  if (f) return f;
  f = { tests: new Set(), maxBase64Line: 0 };
  let b64 = 0;
  let qp = 0;
  for (const p of msg.parts) {
    const disp = (headerValue(p.headers, 'content-disposition') ?? '').toLowerCase();
    if (disp.startsWith('attachment') || (!p.type.startsWith('text/') && !p.type.startsWith('multipart/')))
      f.tests.add('mime_attachment');
    const cs = (p.params.charset ?? '').toLowerCase();
    if (/^iso-8859-(?!1[0-6]?$|[2-9]$)/.test(cs)) f.tests.add('mime_bad_iso_charset');
    if (FARAWAY.some(([re]) => re.test(cs))) f.tests.add('mime_faraway_charset_candidate');
    if (p.cte === 'base64') {
      b64++;
      if (p.type.startsWith('text/')) f.tests.add('mime_base64_encoded_text');
      const lines = p.rawBody.split('\n');
      if (lines.slice(0, -2).some((l) => l.trim() === '') && p.rawBody.trim().includes('\n\n'))
        f.tests.add('mime_base64_blanks');
      for (const l of lines) f.maxBase64Line = Math.max(f.maxBase64Line, l.replace(/\r$/, '').length);
    }
    if (p.cte === 'quoted-printable') {
      qp++;
      if (p.rawBody.split('\n').some((l) => l.replace(/\r$/, '').length > 77))
        f.tests.add('mime_qp_long_line');
    }
  }
  if (b64) f.tests.add('mime_base64_count');
  if (qp) f.tests.add('mime_qp_count');
  if (msg.flags.has('mimepart_limit_exceeded')) f.tests.add('mimepart_limit_exceeded');
  mimeCache.set(msg, f);
  return f;
}

// FreeMail.pm: addresses never counted as freemail, and its email regex (without the TLD check)
const FREEMAIL_SKIP =
  /^(?:abuse|support|sales|info|helpdesk|contact|kontakt|(?:post|host|domain)master|undisclosed.*|request-[a-f0-9]{16}|bounced?-|[a-f0-9]{8}(?:\.[a-f0-9]{8}|-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})|.+=.+=.+)@/i;
const EMAIL_RE =
  /(?=.{0,64}@)(?<![a-z0-9!#$%&'*+/=?^_`{|}~-])([a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,59}[a-z0-9])?\.){1,4}[a-z]{2,})/gi;

interface FreemailList {
  exact: Set<string>;
  wild?: RegExp;
  welcome: Set<string>;
}
const freemailLists = new WeakMap<SpamSettings, FreemailList>();
function freemailList(s: SpamSettings): FreemailList {
  let l = freemailLists.get(s);
  if (l) return l;
  const doms = s.lists.get('freemail_domains') ?? [];
  const wild = doms
    .filter((d) => /[*?]/.test(d))
    .map((d) => d.replace(/\./g, '\\.').replace(/\?/g, '.').replace(/\*/g, '[^.]*'));
  l = {
    exact: new Set(doms.filter((d) => !/[*?]/.test(d))),
    wild: wild.length ? new RegExp(`@(?:${wild.join('|')})$`) : undefined,
    welcome: new Set(s.lists.get('freemail_welcomelist') ?? []),
  };
  freemailLists.set(s, l);
  return l;
}

function isFreemail(c: EvalContext, email: string): boolean {
  if (!email) return false;
  const l = freemailList(c.settings);
  const domain = email.replace(/.*@/, '');
  if (l.welcome.has(email) || l.welcome.has(domain) || FREEMAIL_SKIP.test(email)) return false;
  return l.exact.has(domain) || !!l.wild?.test(email);
}

const addrOf = (c: EvalContext, h: string): string[] => {
  const v = hdr(c, `${h}:addr`);
  return v ? [v.toLowerCase()] : [];
};

/** PerMsgStatus::all_from_addrs */
function allFromAddrs(c: EvalContext): string[] {
  const resent = addrOf(c, 'Resent-From');
  const addrs = resent.length
    ? resent
    : ['From', 'Envelope-Sender', 'Resent-Sender', 'X-Envelope-From', 'EnvelopeFrom'].flatMap((h) =>
        addrOf(c, h).map((a) => a.replace(/\.{2,}/g, '.')),
      );
  return [...new Set(addrs.filter(Boolean))];
}

const bodyFreemails = new WeakMap<PreparedMessage, string[]>();
/** FreeMail.pm's _parse_body: freemail addresses in mailto: links and the body text. */
function freemailsInBody(c: EvalContext): string[] {
  let out = bodyFreemails.get(c.msg);
  if (out) return out;
  const found = new Set<string>();
  for (const u of c.msg.html.flatMap((h) => h.uris)) {
    const m = /^mailto:(.*)$/i.exec(u);
    const e = m && new RegExp(EMAIL_RE.source, 'i').exec(m[1]!);
    if (e) found.add(e[1]!.toLowerCase());
  }
  for (const line of c.msg.body.slice(1)) {
    const t = line
      .replace(/<?https?:\/\/\S{0,255}(?:@|%40)\S{0,255}/gi, ' ')
      .replace(
        new RegExp(
          `<?(?<!mailto:)${EMAIL_RE.source}(?:>|\\s{1,10}(?!(?:fa(?:x|csi)|tel|phone|e?-?mail))[a-z]{2,11}:)`,
          'gi',
        ),
        ' ',
      );
    for (const m of t.matchAll(EMAIL_RE)) found.add(m[1]!.toLowerCase());
    if (found.size >= 40) break;
  }
  out = [...found].filter((e) => isFreemail(c, e));
  bodyFreemails.set(c.msg, out);
  return out;
}

const BULK_ENVFROM =
  /(?:^(?:post|host|domain)master|^double-bounce|^(?:sentto|owner|return|(?:gr)?bounced?)-.+|-(?:request|bounces?|admin|owner)|\b(?:do[._-t]?)?no[._-t]?repl(?:y|ies)|.+=.+)@/i;

// the stock rules ask check_for_uppercase for three ranges of the same counts
const caseCache = new WeakMap<PreparedMessage, { upper: number; lower: number }>();
function letterCase(msg: PreparedMessage): { upper: number; lower: number } {
  let c = caseCache.get(msg);
  if (!c) {
    c = { upper: 0, lower: 0 };
    const t = msg.visibleText;
    for (let i = 0; i < t.length; i++) {
      const ch = t.charCodeAt(i);
      if (ch >= 65 && ch <= 90) c.upper++;
      else if (ch >= 97 && ch <= 122) c.lower++;
    }
    caseCache.set(msg, c);
  }
  return c;
}

const recipientCache = new WeakMap<PreparedMessage, { similar: number; sorted: boolean }>();
/** HeaderEval's _check_recipients: are the To/Cc addresses sorted, how alike are they. */
function recipients(c: EvalContext): { similar: number; sorted: boolean } {
  let r = recipientCache.get(c.msg);
  if (r) return r;
  const inputs: string[] = [];
  for (const h of ['ToCc', 'Bcc']) {
    for (const m of (hdr(c, h) ?? '').matchAll(/[^\s<>",;:()]+@[^\s<>",;:()]+/g)) inputs.push(m[0]);
    if (inputs.length >= 5) break;
  }
  const address: string[] = [];
  let previous = '';
  for (const a of inputs) {
    if (a.toLowerCase() !== previous.toLowerCase()) address.push((previous = a));
    if (address.length === 256) break;
  }
  let similar = 0;
  if (address.length >= 5) {
    const fqhn = address.map((a) => a.replace(/^[^@]*@/, ''));
    let hits = 0;
    let pairs = 0;
    for (let i = 0; i < address.length; i++)
      for (let j = i + 1; j < address.length; j++) {
        if (address[i]!.slice(0, 2) === address[j]!.slice(0, 2)) hits++;
        if (fqhn[i]!.slice(0, 2) === fqhn[j]!.slice(0, 2) && fqhn[i] !== fqhn[j]) hits++;
        pairs++;
      }
    similar = hits / pairs;
  }
  const sorted = address.length >= 7 && address.join(',') === [...address].sort().join(',');
  r = { similar, sorted };
  recipientCache.set(c.msg, r);
  return r;
}

/** HeaderEval's gated_through_received_hdr_remover: lists known to strip Received headers. */
function gatedThroughReceivedRemover(c: EvalContext): boolean {
  const rcvd = headerValues(c.msg, 'Received').join('\n');
  if (
    /^contact \S+@\S+; run by ezmlm$/m.test(hdr(c, 'Mailing-List') ?? '') &&
    /^mailing list \S+@\S+/m.test(hdr(c, 'Delivered-To') ?? '') &&
    /qmail \d+ invoked (?:from network|by .{3,20})\); \d+ ... \d+/.test(rcvd)
  )
    return true;
  return !rcvd || /from groups\.msn\.com \(\S+\.msn\.com /.test(rcvd);
}

function words(s: string): Set<string> {
  return new Set(s.toLowerCase().match(/[a-z0-9']{2,}/g) ?? []);
}

export const EVALS: Record<string, EvalFn> = {
  // HeaderEval
  check_for_missing_to_header: (c) => hdr(c, 'To') === undefined && hdr(c, 'Apparently-To') === undefined,
  check_header_count_range: (c, [h, min, max]) => {
    const n = c.msg.headers.filter((x) => x.name.toLowerCase() === (h ?? '').toLowerCase()).length;
    return n >= num(min, 0) && n <= num(max, Infinity);
  },
  check_for_shifted_date: (c, [min, max]) => {
    const diff = dateDiff(c);
    return (min === 'undef' || diff >= 3600 * num(min, 0)) && (max === 'undef' || diff < 3600 * num(max, 0));
  },
  subject_is_all_caps: (c) => {
    const s = c.msg.subject.replace(/^(?:(?:re|fwd?|aw|antwort|sv)\s*:\s*)+/i, '');
    if (s.length < 10 || !/[A-Z]/.test(s)) return false;
    return !/\p{Ll}/u.test(s) && s.trim().split(/\s+/).length > 1;
  },
  check_for_to_in_subject: (c, [test]) => {
    const to = firstAddress(hdr(c, 'To') ?? '').toLowerCase();
    const subj = c.msg.subject.toLowerCase();
    if (!to.includes('@') || !subj) return false;
    return test === 'user'
      ? subj.includes(to.split('@')[0]!) && to.split('@')[0]!.length > 3
      : subj.includes(to);
  },
  check_illegal_chars: (c, [h, ratio, count]) => {
    let s: string;
    if (h === 'ALL')
      s = c.msg.headers
        .filter((x) => !/^(?:subject|from)$/i.test(x.name))
        .map((x) => x.raw)
        .join('\n');
    else
      s = c.msg.headers
        .filter((x) => x.name.toLowerCase() === (h ?? '').toLowerCase())
        .map((x) => x.raw)
        .join('\n');
    if (!s) return false;
    const illegal = (s.match(/[\x80-\xff]/g) ?? []).length;
    return illegal / s.length > num(ratio, 0) && illegal >= num(count, 1);
  },
  check_for_faraway_charset_in_headers: (c) =>
    c.msg.headers.some((h) => /=\?([^?]+)\?/.test(h.raw) && faraway(c, /=\?([^?*]+)/.exec(h.raw)?.[1])),
  check_unresolved_template: (c) =>
    c.msg.headers.some((h) => /%[A-Z][A-Z_-]/.test(h.raw) && !/^(?:x-|received$)/i.test(h.name)),
  check_equal_from_domains: (c) => {
    const dom = (a: string): string => a.split('@')[1]?.toLowerCase().split('.').slice(-2).join('.') ?? '';
    const from = dom(firstAddress(hdr(c, 'From') ?? ''));
    const env = dom(firstAddress(hdr(c, 'EnvelopeFrom') ?? ''));
    return !!from && !!env && from !== env;
  },
  // FreeMail
  check_freemail_from: (c, [re]) =>
    allFromAddrs(c).some((a) => isFreemail(c, a) && (re === undefined || new RegExp(re).test(a))),
  check_freemail_header: (c, [h, re]) =>
    addrOf(c, h ?? '').some((a) => isFreemail(c, a) && (re === undefined || new RegExp(re).test(a))),
  check_freemail_replyto: (c, [what = 'replyto']) => {
    if (BULK_ENVFROM.test(hdr(c, 'EnvelopeFrom') ?? '')) return false;
    const from = addrOf(c, 'From');
    const replyTo = addrOf(c, 'Reply-To');
    const fromFm = from.some((a) => isFreemail(c, a));
    const replyFm = replyTo.some((a) => isFreemail(c, a));
    if (fromFm && replyFm && !from.some((a) => replyTo.includes(a))) return true;
    if (what === 'replyto' ? !replyFm : (replyTo.length && !replyFm) || !fromFm) return false;
    const reply = what === 'replyto' || replyFm ? replyTo : from;
    return freemailsInBody(c).some((b) => reply.some((r) => r !== b));
  },
  // RelayEval
  check_all_trusted: (c) => {
    const p = relayPath(c.msg);
    return p.trusted.length > 0 && !p.untrusted.length && !p.unparseable;
  },
  check_no_relays: (c) => {
    const p = relayPath(c.msg);
    return !p.trusted.length && !p.untrusted.length && !p.unparseable;
  },
  check_relays_unparseable: (c) => relayPath(c.msg).unparseable > 0,
  check_for_no_rdns_dotcom_helo: (c) => {
    const r = relayPath(c.msg).untrusted[0];
    return (
      !!r &&
      r.rdns === '' &&
      /^(?:msn|hotmail|yahoo|juno|excite|compuserve|netzero|aol|prodigy|earthlink|mail)\.com$/i.test(
        r.helo.replace(/^.*\.(\w+\.com)$/i, '$1'),
      )
    );
  },
  check_outlook_message_id: (c) => {
    const id = /^<[0-9a-f]{4}([0-9a-f]{8})\$[0-9a-f]{8}\$[0-9a-f]{8}@/.exec(hdr(c, 'MESSAGEID') ?? '');
    if (!id) return false;
    const token = parseInt(id[1]!, 16);
    const off = (t: number | undefined): number =>
      Math.abs(token - Math.trunc((t ?? 0) * 0.0023283064365387 + 27111902.8329849));
    if (off(parseRfc822Date(hdr(c, 'Date') ?? '')) < 250) return false;
    // the date of the last Received header, as the unanchored-newline match in HeaderEval finds it
    const last = headerValues(c.msg, 'Received').pop() ?? '';
    const m = /(\s.?\d+ \S\S\S \d+ \d+:\d+:\d+ \S+)[^\n]*$/.exec(last);
    return off(m ? parseRfc822Date(m[1]!) : undefined) >= 250;
  },
  similar_recipients: (c, [min, max]) => {
    const similar = recipients(c).similar;
    return (min === 'undef' || similar >= num(min, 0)) && (max === 'undef' || similar < num(max, 0));
  },
  sorted_recipients: (c) => recipients(c).sorted,
  check_for_forged_yahoo_received_headers: (c) => {
    const from = hdr(c, 'From:addr') ?? '';
    if (!/\byahoo\.com$/i.test(from) || gatedThroughReceivedRemover(c)) return false;
    let rcvd = headerValues(c.msg, 'Received').join('\n');
    if (hdr(c, 'Resent-From') && hdr(c, 'Resent-To'))
      rcvd = headerValues(c.msg, 'X-Received').join('\n') || rcvd;
    rcvd = rcvd.replace(/\s+/g, ' ');
    const p = relayPath(c.msg);
    if (/ rdns=\S+\.yahoo\.com /.test(p.trustedStr) || /^[^\]]+ rdns=\S+\.yahoo\.com /.test(p.untrustedStr))
      return false;
    return (
      ![
        /by web\S+\.mail\S*\.yahoo\.com via HTTP/,
        /by sonic\S+\.consmr\.mail\S*\.yahoo\.com with HTTP/,
        /by smtp\S+\.yahoo\.com with SMTP/,
        /from \[[\d.:a-f]+\] by \S+\.(?:groups|scd|dcn)\.yahoo\.com with NNFMP/i,
        /by \w+\.\w+\.yahoo\.com \(\d+\.\d+\.\d+\/\d+\.\d+\.\d+\)(?: with ESMTP)? id \w+/,
      ].some((re) => re.test(rcvd)) &&
      !(/\bmailer\d+\.bulk\.scd\.yahoo\.com\b/.test(rcvd) && /@reply\.yahoo\.com$/i.test(from))
    );
  },
  // BodyEval
  check_body_length: (c, [len]) => c.msg.visibleText.replace(/\s+/g, ' ').trim().length < num(len, 0),
  check_for_uppercase: (c, [min, max]) => {
    const { upper, lower } = letterCase(c.msg);
    if (upper + lower < 200) return false;
    const pct = (100 * upper) / (upper + lower);
    return pct >= num(min, 0) && pct <= num(max, 100);
  },
  multipart_alternative_difference: (c, [min, max]) => {
    const html = c.msg.textParts.find((t) => t.html && t.part.depth > 0);
    const text = c.msg.textParts.find((t) => !t.html && t.part.depth > 0);
    if (!html || !text || c.msg.root.type !== 'multipart/alternative') return false;
    const hw = words(html.rendered);
    const tw = words(text.rendered);
    if (hw.size === 0) return false;
    const diff = (100 * [...hw].filter((w) => !tw.has(w)).length) / hw.size;
    return diff >= num(min, 0) && diff <= num(max, 100);
  },
  check_abundant_unicode_ratio: (c, [ratio]) => {
    const raw = c.msg.rawbody.join('');
    if (raw.length < 100) return false;
    const ents = (raw.match(/&#(?:x[0-9a-f]{2,5}|\d{3,6});/gi) ?? []).length;
    return ents / raw.length > num(ratio, 1);
  },
  // MIMEEval
  check_for_mime: (c, [test]) => mimeFacts(c.msg).tests.has(test ?? ''),
  check_for_mime_html: (c) => c.msg.textParts.some((t) => t.type === 'text/html'),
  check_for_mime_html_only: (c) =>
    c.msg.textParts.some((t) => t.type === 'text/html') &&
    !c.msg.textParts.some((t) => t.type === 'text/plain'),
  check_msg_parse_flags: (c, [flag]) => c.msg.flags.has(flag ?? ''),
  check_for_faraway_charset: (c) => c.msg.textParts.some((t) => faraway(c, t.charset)),
  check_for_ascii_text_illegal: (c) =>
    c.msg.textParts.some(
      (t) =>
        t.type === 'text/plain' &&
        /^us-ascii$/i.test(t.charset) &&
        /[\x80-\xff]/.test(decodeBody(t.part).toString('latin1')),
    ),
  check_base64_length: (c, [min, max]) => {
    const m = mimeFacts(c.msg).maxBase64Line;
    return m >= num(min, 0) && m <= num(max, Infinity);
  },
  check_ma_non_text: (c) =>
    c.msg.root.type === 'multipart/alternative' &&
    c.msg.root.children.some((p) => !p.type.startsWith('text/') && !p.type.startsWith('multipart/')),
  // HTMLEval
  html_tag_exists: (c, [tag]) => c.msg.html.some((h) => h.tags.has((tag ?? '').toLowerCase())),
  html_test: (c, [test]) => c.msg.html.some((h) => h.tests.has(test ?? '')),
  // HTMLEval tests any HTML part (its html_all)
  html_eval: (c, [test, expr]) =>
    c.msg.html.some((h) => {
      const v = htmlValue(h, test ?? '');
      return v !== undefined && compare(v, expr ?? '');
    }),
  html_range: (c, [test, min, max]) =>
    c.msg.html.some((h) => {
      const v = htmlValue(h, test ?? '');
      return v !== undefined && v > num(min, 0) && v <= num(max, Infinity);
    }),
  html_text_match: (c, [area, re]) => {
    let rx: RegExp;
    try {
      rx = new RegExp(re ?? '', 'i');
    } catch {
      return false;
    }
    return c.msg.html.some((h) => {
      const texts =
        area === 'title'
          ? [h.title]
          : area === 'comment'
            ? h.comments
            : area === 'anchor'
              ? h.anchorText
              : [];
      return texts.some((t) => rx.test(t));
    });
  },
  html_image_only: (c, [min, max]) =>
    c.msg.html.some(
      (h) => h.tags.has('img') && h.sourceLength > num(min, 0) && h.sourceLength <= num(max, Infinity),
    ),
  html_image_ratio: (c, [min, max]) =>
    c.msg.html.some((h) => {
      if (h.imageArea === 0) return false;
      const r = htmlValue(h, 'non_space_len')! / h.imageArea;
      return r > num(min, 0) && r <= num(max, Infinity);
    }),
  html_tag_balance: (c, [tag, expr]) =>
    c.msg.html.some((h) => h.tags.has(tag ?? '') && compare(h.balance.get(tag ?? '') ?? 0, expr ?? '')),
  html_title_subject_ratio: (c, [ratio]) => {
    const h = htmlAll(c);
    const title = h?.title.trim() ?? '';
    if (!title || !c.msg.subject) return false;
    return c.msg.subject.length / title.length > num(ratio, Infinity);
  },
  html_charset_faraway: (c) => c.msg.html.some((h) => faraway(c, h.charset)),
  // WLBLEval
  check_from_in_blocklist: (c) => globMatch(c.settings.lists.get('blocklist_from'), fromAddrs(c)),
  check_from_in_welcomelist: (c) => globMatch(c.settings.lists.get('welcomelist_from'), fromAddrs(c)),
  check_to_in_blocklist: (c) => globMatch(c.settings.lists.get('blocklist_to'), toAddrs(c)),
  check_to_in_welcomelist: (c) => globMatch(c.settings.lists.get('welcomelist_to'), toAddrs(c)),
  check_to_in_all_spam: (c) => globMatch(c.settings.lists.get('all_spam_to'), toAddrs(c)),
  check_to_in_more_spam: (c) => globMatch(c.settings.lists.get('more_spam_to'), toAddrs(c)),
  // Bayes
  check_bayes: (c, [min, max]) => c.bayes !== undefined && c.bayes >= num(min, 0) && c.bayes <= num(max, 1),
};
EVALS.check_from_in_blacklist = EVALS.check_from_in_blocklist!;
EVALS.check_from_in_whitelist = EVALS.check_from_in_welcomelist!;
EVALS.check_to_in_blacklist = EVALS.check_to_in_blocklist!;
EVALS.check_to_in_whitelist = EVALS.check_to_in_welcomelist!;

export interface EvalSupport {
  fn: string;
  supported: boolean;
  rules: number;
  /** sum of |score| in the chosen score set over rules calling it */
  weight: number;
}

/** Which eval: functions a ruleset calls, how much score rides on each, and whether we run it. */
export function evalSupportReport(ruleset: Ruleset, scoreSet = 0): EvalSupport[] {
  const by = new Map<string, EvalSupport>();
  const metaUsers = new Map<string, RuleDef[]>();
  for (const r of ruleset.rules.values())
    if (r.meta)
      for (const d of JSON.stringify(r.meta).match(/"name":"(\w+)"/g) ?? []) {
        const n = d.slice(8, -1);
        metaUsers.set(n, [...(metaUsers.get(n) ?? []), r]);
      }
  for (const r of ruleset.rules.values()) {
    if (!r.eval) continue;
    const e = by.get(r.eval.fn) ?? { fn: r.eval.fn, supported: r.eval.fn in EVALS, rules: 0, weight: 0 };
    e.rules++;
    // a sub-rule carries the weight of the metas that read it
    e.weight +=
      Math.abs(r.scores[scoreSet] ?? 0) +
      (metaUsers.get(r.name) ?? []).reduce((s, m) => s + Math.abs(m.scores[scoreSet] ?? 0), 0);
    by.set(r.eval.fn, e);
  }
  return [...by.values()].sort((a, b) => b.weight - a.weight);
}

/** Formats the report as text, one eval per line. */
export function formatEvalSupport(report: EvalSupport[]): string {
  return report
    .map(
      (e) =>
        `${e.supported ? 'yes' : 'no '} ${e.weight.toFixed(2).padStart(7)} ${String(e.rules).padStart(3)}  ${e.fn}`,
    )
    .join('\n');
}
