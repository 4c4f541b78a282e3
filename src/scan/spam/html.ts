// HTML rendered to text the way SpamAssassin sees it, with the tag statistics its HTMLEval tests read.
// A small tolerant tokenizer: spam HTML is broken on purpose, so nothing here may throw.

export interface HtmlInfo {
  text: string;
  /** length of the HTML source (HTML.pm's `length`, which the image-only and length tests read) */
  sourceLength: number;
  tags: Set<string>;
  /** open minus close count per tag */
  balance: Map<string, number>;
  elements: number;
  badTags: number;
  closedExtra: number;
  imageArea: number;
  images: number;
  maxFontSize: number;
  title: string;
  comments: string[];
  anchorText: string[];
  uris: string[];
  tests: Set<string>;
  charset?: string;
}

const KNOWN = new Set(
  (
    'a abbr acronym address applet area b base basefont bdo big blink blockquote body br button caption center cite code col ' +
    'colgroup dd del dfn dir div dl dt em embed fieldset font form frame frameset h1 h2 h3 h4 h5 h6 head hr html i iframe ' +
    'ilayer img input ins isindex kbd label layer legend li link map marquee menu meta multicol nobr noembed noframes ' +
    'nolayer noscript object ol optgroup option p param plaintext pre q s samp script select small spacer span strike ' +
    'strong style sub sup table tbody td textarea tfoot th thead title tr tt u ul var wbr xmp bgsound o:p section article ' +
    'header footer nav main aside figure figcaption picture source video audio canvas svg time mark'
  ).split(' '),
);
// SpamAssassin's HTML.pm: tags it renders, and the whitespace each inserts (at start and end tags alike)
const SA_ELEMENTS = new Set(
  (
    'a abbr acronym address area b base bdo big blockquote body br button caption cite code col colgroup dd del ' +
    'dfn div dl dt em fieldset form h1 h2 h3 h4 h5 h6 head hr html i img input ins kbd label legend li link map meta ' +
    'noscript object ol optgroup option p param pre q samp script select small span strong style sub sup table tbody ' +
    'td textarea tfoot th thead title tr tt ul var applet basefont center dir font frame frameset iframe isindex ' +
    'menu noframes s strike u nobr x-sigsep x-tab bgsound embed listing plaintext xmp'
  ).split(' '),
);
const WHITESPACE: Record<string, string> = {
  br: '\n',
  div: '\n',
  ...Object.fromEntries('li th td dt dd embed h1 h2 h3 h4 h5 h6'.split(' ').map((t) => [t, ' '])),
  ...Object.fromEntries('p hr blockquote pre listing plaintext xmp title'.split(' ').map((t) => [t, '\n\n'])),
};
const SKIP_TEXT = new Set(['script', 'style']);
const URI_ATTRS: Record<string, string[]> = {
  a: ['href'],
  area: ['href'],
  link: ['href'],
  img: ['src', 'lowsrc'],
  frame: ['src'],
  iframe: ['src'],
  form: ['action'],
  embed: ['src'],
  script: ['src'],
  input: ['src'],
  base: ['href'],
  body: ['background'],
  table: ['background'],
  td: ['background'],
};
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  trade: '\u2122',
  euro: '\u20ac',
  bull: '\u2022',
  hellip: '\u2026',
  mdash: '\u2014',
  ndash: '\u2013',
  rsquo: '\u2019',
  lsquo: '\u2018',
  rdquo: '\u201d',
  ldquo: '\u201c',
  sbquo: '\u201a',
  bdquo: '\u201e',
  dagger: '\u2020',
  permil: '\u2030',
  zwnj: '\u200c',
  zwj: '\u200d',
  thinsp: '\u2009',
  ensp: '\u2002',
  emsp: '\u2003',
};
// HTML 4's Latin-1 entities, U+00A0..U+00FF in order (names are case-sensitive)
(
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig ' +
  'Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash ' +
  'Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc ' +
  'euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml ' +
  'yacute thorn yuml'
)
  .split(' ')
  .forEach((n, i) => (NAMED[n] = String.fromCharCode(0xa0 + i)));
const SAFE_FONTS =
  /^(?:arial|helvetica|verdana|times|courier|georgia|tahoma|geneva|sans-serif|serif|monospace|wingdings|symbol|trebuchet|comic|garamond|lucida|palatino|calibri|cambria|segoe|book antiqua|century|impact|ms |microsoft|system|modern|roman|script|fixedsys|terminal|"|')/i;

/** A string as UTF-8 octets, one char per byte: how SpamAssassin's rules see non-ASCII text. */
export function utf8Octets(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** Decodes character references. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,7});?/gi, (all, e: string) => {
    let ch: string | undefined;
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      ch = code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
    } else ch = NAMED[e] ?? NAMED[e.toLowerCase()];
    return ch ?? all;
  });
}

function parseAttrs(s: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]*)))?/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(s)) && n++ < 100)
    attrs.set(m[1]!.toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  return attrs;
}

function hexColor(c: string): number[] | null {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(c.trim());
  if (!m) return null;
  const h = m[1]!.length === 3 ? [...m[1]!].map((x) => x + x).join('') : m[1]!;
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

/** Renders HTML to text as SpamAssassin's HTML.pm does (in character mode) and gathers its tag statistics. */
export function renderHtml(source: string): HtmlInfo {
  // as HTML.pm: &nbsp; is a plain space, <br/> is <br>, curly double quotes are straight ones
  const html = source
    .replace(/&nbsp;/g, ' ')
    .replace(/<(\w+)\s*\/>/g, '<$1>')
    .replace(/[\u201c\u201d]/g, '"');
  const info: HtmlInfo = {
    text: '',
    sourceLength: source.length,
    tags: new Set(),
    balance: new Map(),
    elements: 0,
    badTags: 0,
    closedExtra: 0,
    imageArea: 0,
    images: 0,
    maxFontSize: 3,
    title: '',
    comments: [],
    anchorText: [],
    uris: [],
    tests: new Set(['html']),
  };
  // rendered pieces; a piece that is inserted whitespace eats the trailing space of the text before it
  const out: string[] = [];
  let lastWs = false;
  const whitespace = (ws: string): void => {
    if (out.length && !lastWs) out[out.length - 1] = out[out.length - 1]!.replace(/ $/, '');
    out.push(ws);
    lastWs = true;
  };
  const text = (t: string): void => {
    let v = t.replace(/[ \t\n\r\f\x0b]+/g, ' ');
    if (lastWs) v = v.replace(/^ /, '');
    out.push(v);
    lastWs = false;
  };
  const skip: string[] = [];
  let inAnchor = -1;
  let inTitle = false;
  let bg: number[] | null = null;
  let i = 0;
  const len = html.length;
  while (i < len) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? len : lt;
    if (textEnd > i) {
      const t = decodeEntities(html.slice(i, textEnd));
      if (inTitle) info.title += t;
      if (!skip.length) {
        text(t);
        if (inAnchor >= 0) info.anchorText[inAnchor] += t;
      }
    }
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      const stop = end < 0 ? len : end + 3;
      info.comments.push(html.slice(lt, stop));
      i = stop;
      continue;
    }
    if (html[lt + 1] === '!' || html[lt + 1] === '?') {
      const end = html.indexOf('>', lt);
      const stop = end < 0 ? len : end + 1;
      info.comments.push(html.slice(lt, stop));
      i = stop;
      continue;
    }
    const m = /^<(\/?)([a-zA-Z][\w:-]*)/.exec(html.slice(lt, lt + 40));
    if (!m) {
      if (!skip.length) text('<');
      i = lt + 1;
      continue;
    }
    const end = html.indexOf('>', lt);
    const stop = end < 0 ? len : end + 1;
    const closing = m[1] === '/';
    const tag = m[2]!.toLowerCase();
    const attrs = closing ? new Map<string, string>() : parseAttrs(html.slice(lt + m[0].length, stop - 1));
    i = stop;
    info.elements++;
    if (!KNOWN.has(tag)) info.badTags++;
    info.tags.add(tag);
    const bal = info.balance.get(tag) ?? 0;
    if (closing && bal <= 0) info.closedExtra++;
    info.balance.set(tag, bal + (closing ? -1 : 1));
    const ws = WHITESPACE[tag];
    if (ws && SA_ELEMENTS.has(tag)) whitespace(ws);
    if (tag === 'title') inTitle = !closing;
    if (SKIP_TEXT.has(tag)) {
      if (closing) {
        const at = skip.lastIndexOf(tag);
        if (at >= 0) skip.length = at;
      } else skip.push(tag);
    }
    if (tag === 'a') inAnchor = closing ? -1 : info.anchorText.push('') - 1;
    if (closing) continue;
    for (const a of URI_ATTRS[tag] ?? []) {
      const v = attrs.get(a)?.trim();
      if (v) info.uris.push(v);
    }
    if (tag === 'img') {
      info.images++;
      const w = parseInt(attrs.get('width') ?? '', 10);
      const h = parseInt(attrs.get('height') ?? '', 10);
      if (w > 0 && h > 0) info.imageArea += w * h;
      if (inAnchor >= 0) info.anchorText[inAnchor] += '<img>';
    }
    if (tag === 'form' && /^mailto:/i.test(attrs.get('action') ?? '')) info.tests.add('form_action_mailto');
    if (tag === 'embed' || tag === 'object') info.tests.add('embeds');
    if (tag === 'body') bg = hexColor(attrs.get('bgcolor') ?? '') ?? bg;
    if (tag === 'meta' && attrs.has('content')) {
      const cs = /charset=([\w-]+)/i.exec(attrs.get('content')!);
      if (cs) info.charset = cs[1]!.toLowerCase();
    }
    if (tag === 'meta' && attrs.has('charset')) info.charset = attrs.get('charset')!.toLowerCase();
    if (tag === 'font') {
      const size = attrs.get('size');
      if (size) {
        const n = parseInt(size, 10);
        const abs = /^[+-]/.test(size) ? 3 + n : n;
        if (Number.isFinite(abs) && abs > info.maxFontSize) info.maxFontSize = abs;
      }
      const face = attrs.get('face');
      if (face && face.split(',').some((f) => f.trim() && !SAFE_FONTS.test(f.trim())))
        info.tests.add('font_face_bad');
      const color = attrs.get('color');
      if (color !== undefined) {
        const rgb = hexColor(color);
        if (!rgb && !/^[a-z]+$/i.test(color.trim())) info.tests.add('font_invalid_color');
        const back = bg ?? [255, 255, 255];
        if (
          rgb &&
          Math.abs(rgb[0]! - back[0]!) + Math.abs(rgb[1]! - back[1]!) + Math.abs(rgb[2]! - back[2]!) < 30
        )
          info.tests.add('font_low_contrast');
      }
    }
  }
  info.text = out.join('');
  return info;
}
