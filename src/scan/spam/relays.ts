// The relay path as SpamAssassin's Message::Metadata::Received reads it from the Received headers:
// each hop's IP, reverse DNS, HELO and envelope sender, split into trusted and untrusted relays.
// The common MTA formats (Postfix, Sendmail, qmail, Exim, Microsoft) are recognised, and a hop
// in no known format still yields its [IP] when it names a `by` host; otherwise it is unparseable.
import type { PreparedMessage } from './message.js';

export interface Relay {
  ip: string;
  rdns: string;
  helo: string;
  by: string;
  ident: string;
  envfrom: string;
  id: string;
  auth: string;
  private: boolean;
}

export interface RelayPath {
  trusted: Relay[];
  untrusted: Relay[];
  unparseable: number;
  /** SpamAssassin's X-Spam-Relays-Trusted / -Untrusted pseudo headers */
  trustedStr: string;
  untrustedStr: string;
}

const IP = String.raw`(?:IPv6:[0-9a-f:.]+|[0-9a-f]{0,4}:[0-9a-f:.]*:[0-9a-f:.]*|\d{1,3}(?:\.\d{1,3}){3})`;
const re = (s: string, flags = ''): RegExp => new RegExp(s.replace(/IP/g, IP), flags);

const PRIVATE =
  /^(?:(?:10|127|169\.254|172\.(?:1[6-9]|2\d|3[01])|192\.168|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7]))\.|::1$|f[cd][0-9a-f]{2}:|fe80:)/i;
const DATE_TAIL =
  /[\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\d+ (?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \d+ \d+:\d+(?::\d+)? \S+$/;

type Fields = Partial<Pick<Relay, 'ip' | 'rdns' | 'helo' | 'by' | 'ident'>>;

// [pattern, field of each group] in SpamAssassin's order; 'sub' is text that may hold helo=
type Group = keyof Fields | 'sub';
const EXIM: [RegExp, Group[]][] = [
  [re(String.raw`^\[(IP)\] \((.*?)\) by (\S+) `), ['ip', 'sub', 'by']],
  [re(String.raw`^(\S+) \(\[(IP)\](.*?)\) by (\S+) `), ['rdns', 'ip', 'sub', 'by']],
  [re(String.raw`^(\S+) \[(IP)\](?::\d+)? by (\S+) `), ['rdns', 'ip', 'by']],
];
const FORMATS: [RegExp, Group[]][] = [
  [re(String.raw`^(\S*) \(\[(IP)\][^)]{0,40}\) by (\S+) with Microsoft SMTPSVC`), ['helo', 'ip', 'by']],
  [
    re(
      String.raw`^(\S+) \(\[?(IP)(?:%[A-Z0-9._~-]*)?\]?\) by (\S+) .* with (?:Microsoft SMTP Server|mapi id)`,
    ),
    ['helo', 'ip', 'by'],
  ],
  [re(String.raw`^(\S+) \((\S+) \[(IP)\]\) by (\S+) \(Postfix\)`), ['helo', 'rdns', 'ip', 'by']],
  [re(String.raw`^(\S+) \(\[(IP)(?:[.:]\d+)?\]\).*? by (\S+) `), ['helo', 'ip', 'by']],
  [
    re(String.raw`^(\S+) \((\S+) \[(IP)\]\)(?: \(authenticated bits=\d+\))? by (\S+) \(`),
    ['helo', 'rdns', 'ip', 'by'],
  ],
  // Sendmail's "(may be forged)" and other notes after the address
  [re(String.raw`^(\S+) \((\S+) \[(IP)\].*\) by (\S+) \(`), ['helo', 'rdns', 'ip', 'by']],
];
// after the mail fetcher check
const LATE_FORMATS: [RegExp, Group[]][] = [
  [
    re(String.raw`^(\S+) \((?:HELO|EHLO) ([^)]*)\) \((?:(\S*)@)?\[?(IP)\]?\).* by (\S+) `),
    ['rdns', 'helo', 'ident', 'ip', 'by'],
  ],
  [re(String.raw`^(\S+) \((?:(\S*)@)?\[?(IP)\]?\).* by (\S+) `), ['rdns', 'ident', 'ip', 'by']],
  [re(String.raw`^(\S+) \(\[(IP)\] helo=(\S+)\) by (\S+) `), ['rdns', 'ip', 'helo', 'by']],
  [re(String.raw`^(\S+) \((\S+) \[(IP)\]\).*? by (\S+)\b`), ['helo', 'rdns', 'ip', 'by']],
  [re(String.raw`^\(?\[?(IP)\]?\)? by (\S+) `), ['ip', 'by']],
];

function matchFormats(text: string, formats: [RegExp, Group[]][]): Fields | undefined {
  for (const [pattern, names] of formats) {
    const m = pattern.exec(text);
    if (!m) continue;
    const f: Fields = {};
    names.forEach((n, i) => {
      const v = m[i + 1];
      if (v === undefined) return;
      if (n === 'sub') {
        const helo = /helo=(\S+)/.exec(v)?.[1];
        if (helo) f.helo = helo.replace(/\)$/, '');
      } else f[n] = v;
    });
    // a host named without a separate HELO is its HELO too (SpamAssassin's bug 5112)
    if (f.rdns !== undefined && f.helo === undefined) f.helo = f.rdns;
    return f;
  }
  return undefined;
}

/** One Received header: a relay, 'skip' for hops SpamAssassin ignores, or undefined when unparseable. */
export function parseReceived(header: string): Relay | 'skip' | 'fetch' | undefined {
  let s = header.replace(/\s+/g, ' ').trim();
  while (/\s?;$/.test(s)) s = s.replace(/\s?;$/, '');
  if (!/^\(?from /i.test(s) || /\bwith local for\b/.test(s)) return 'skip';
  // local submissions and Exchange's pickup directory are no hop
  if (
    /^\(from \S+@localhost\) by \S+ /.test(s) ||
    /^from mail pickup service by \S+ with Microsoft SMTPSVC/.test(s)
  )
    return 'skip';
  const bare = /^from (\S+) by [^\s;]+ ?;/i.exec(s);
  if (bare && !/^\[[\d.]+\]$/.test(bare[1]!)) return 'skip';
  s = s.replace(DATE_TAIL, '').replace(/\)by /, ') by ');
  const id = / id <?([^\s<>;]{3,})/.exec(s)?.[1] ?? '';
  let helo =
    /\bhelo=([-A-Za-z0-9.^+_&:=?!@%*$\\/]+)/.exec(s)?.[1] ??
    /\b(?:HELO|EHLO) ([-A-Za-z0-9.^+_&:=?!@%*$\\/]+)/.exec(s)?.[1] ??
    '';
  let by = / by (\S+)(?:[^-A-Za-z0-9;.]|$)/.exec(s)?.[1] ?? '';
  let auth = '';
  const withAuth = / by /.test(s) && / with ((?:ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$)/i.exec(s);
  if (withAuth) auth = withAuth[1]!;
  else if (/\) \(Authenticated sender: \S+\) by \S+ \(([^)]+)\) with /.test(s)) auth = 'Postfix';
  else if (
    /authenticated/.test(s) &&
    /^from .*?(?:\](?: \([^)]*\))?\)|\)\]) .*?\(.*?authenticated.*?\).*? by/.test(s)
  )
    auth = 'Sendmail';
  let envfrom = '';
  let f: Fields = {};
  if (/^from /i.test(s)) {
    const rest = s.replace(/^from /i, '');
    envfrom = /(?:return-path:? |envelope-(?:sender|from)[ =])(\S+)\b/i.exec(rest)?.[1] ?? '';
    if (/Exim/.test(rest) && /\bwith local(?:-\S+)? /.test(rest)) return 'skip';
    const early = (/Exim/.test(rest) && matchFormats(rest, EXIM)) || matchFormats(rest, FORMATS);
    if (early) f = early;
    else if (/with (?:POP3|IMAP)/.test(rest)) return 'fetch';
    else f = matchFormats(rest, LATE_FORMATS) ?? {};
    if (!f.ip) {
      f = {};
      if (!helo) helo = /^(\S+)[^-A-Za-z0-9.]/.exec(rest)?.[1] ?? '';
    }
  }
  const found = f.ip ?? re(String.raw`\[(IP)\]`, 'i').exec(s)?.[1];
  if (!found || (!f.ip && !by)) return undefined;
  const strip = (v: string): string => v.replace(/[\s\0#[\]()<>|]/g, '!');
  let rdns = (f.rdns ?? '').replace(/\.+$/, '');
  if (/^unknown$/i.test(rdns) || rdns.startsWith('[')) rdns = '';
  const ip = found
    .replace(/^ipv6:/i, '')
    .replace(/^\[|\]$/g, '')
    .replace(/^0*:0*:(?:0*:)*ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  by = (f.by ?? by).replace(/;$/, '');
  return {
    ip: strip(ip),
    rdns: strip(rdns),
    helo: strip(f.helo ?? helo),
    by: strip(by),
    ident: strip(f.ident ?? ''),
    envfrom: strip(envfrom.replace(/^\s*<*/, '').replace(/>*\s*$/, '')),
    id,
    auth,
    private: PRIVATE.test(ip),
  };
}

export function relayString(r: Relay): string {
  return `[ ip=${r.ip} rdns=${r.rdns} helo=${r.helo} by=${r.by} ident=${r.ident} envfrom=${r.envfrom} intl=0 id=${r.id} auth=${r.auth} msa=0 ]`;
}

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [net, bits = '32'] = cidr.split('/');
  const toNum = (a: string): number | undefined => {
    const p = a.split('.').map(Number);
    if (p.length < 1 || p.length > 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255))
      return undefined;
    while (p.length < 4) p.push(0);
    return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
  };
  const a = toNum(ip);
  const n = toNum(net!.replace(/\.$/, ''));
  const b = net!.endsWith('.') ? (net!.split('.').length - 1) * 8 : Number(bits);
  if (a === undefined || n === undefined || !(b >= 0 && b <= 32)) return ip === net;
  const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
  return (a & mask) === (n & mask);
}

const paths = new WeakMap<PreparedMessage, RelayPath>();

/**
 * The trusted/untrusted split: with no trusted_networks configured, SpamAssassin trusts hops from
 * private addresses (or authenticated) up to the first other one; with them, hops inside them.
 */
export function relayPath(msg: PreparedMessage, trustedNetworks: string[] = []): RelayPath {
  let p = paths.get(msg);
  if (p) return p;
  p = { trusted: [], untrusted: [], unparseable: 0, trustedStr: '', untrustedStr: '' };
  let inTrusted = true;
  for (const h of msg.headers) {
    if (h.name.toLowerCase() !== 'received') continue;
    const r = parseReceived(h.raw);
    if (r === undefined) p.unparseable++;
    if (r === 'fetch') {
      // a mail fetcher hand-over restarts the path while still in the trusted part
      if (inTrusted) p.trusted = [];
      continue;
    }
    if (r === undefined || r === 'skip') continue;
    if (inTrusted) {
      const trusted = trustedNetworks.length
        ? r.auth !== '' || r.ip.startsWith('127.') || trustedNetworks.some((n) => ipv4InCidr(r.ip, n))
        : r.private || r.auth !== '';
      if (!trusted) inTrusted = false;
    }
    (inTrusted ? p.trusted : p.untrusted).push(r);
  }
  p.trustedStr = p.trusted.map(relayString).join(' ');
  p.untrustedStr = p.untrusted.map(relayString).join(' ');
  paths.set(msg, p);
  return p;
}
