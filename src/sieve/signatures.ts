/** Argument shapes of every command and test this engine knows, with the extension each needs. */

export const EXTENSIONS = [
  'fileinto',
  'reject',
  'ereject',
  'envelope',
  'encoded-character',
  'body',
  'copy',
  'imap4flags',
  'relational',
  'regex',
  'variables',
  'date',
  'index',
  'subaddress',
  'vacation',
  'vacation-seconds',
  'mailbox',
  'include',
  'editheader',
  'duplicate',
  'environment',
  'enotify',
  'mime',
  'foreverypart',
  'extracttext',
  'spamtest',
  'spamtestplus',
  'virustest',
  'comparator-i;octet',
  'comparator-i;ascii-casemap',
  'comparator-i;ascii-numeric',
] as const;

export type Extension = (typeof EXTENSIONS)[number];

export type ArgType = 'string' | 'strings' | 'number';

export interface TagSpec {
  arg?: ArgType;
  /** The script must require one of these. */
  ext?: Extension[];
  /** At most one tag of a group may be given. */
  group?: string;
}

export interface Signature {
  kind: 'command' | 'test';
  ext?: Extension[];
  tags?: Record<string, TagSpec>;
  args: ArgType[];
  /** How many leading (`optional: 'leading'`) or trailing arguments may be left out. */
  optionalArgs?: number;
  optional?: 'leading' | 'trailing';
  tests?: 'one' | 'list';
  block?: boolean;
  /** Takes comparator and match-type tags. */
  match?: boolean;
}

/** Comparator and match-type tags (RFC 5228 §2.7, RFC 5231, regex draft). */
export const MATCH_TAGS: Record<string, TagSpec> = {
  comparator: { arg: 'string', group: 'comparator' },
  is: { group: 'match' },
  contains: { group: 'match' },
  matches: { group: 'match' },
  regex: { group: 'match', ext: ['regex'] },
  value: { group: 'match', arg: 'string', ext: ['relational'] },
  count: { group: 'match', arg: 'string', ext: ['relational'] },
};

const ADDRESS_PARTS: Record<string, TagSpec> = {
  all: { group: 'addresspart' },
  localpart: { group: 'addresspart' },
  domain: { group: 'addresspart' },
  user: { group: 'addresspart', ext: ['subaddress'] },
  detail: { group: 'addresspart', ext: ['subaddress'] },
};

const INDEX_TAGS: Record<string, TagSpec> = {
  index: { arg: 'number', ext: ['index'] },
  last: { ext: ['index'] },
};

const ZONE_TAGS: Record<string, TagSpec> = { zone: { arg: 'string', group: 'zone' } };

/** RFC 5703 §4: header, address and exists look at MIME parts with :mime (and :anychild). */
const MIME_TAGS: Record<string, TagSpec> = {
  mime: { ext: ['mime'] },
  anychild: { ext: ['mime'] },
};

/** RFC 5703 §4.2: the part of a Content-Type-like value header :mime compares. */
const MIME_OPTION_TAGS: Record<string, TagSpec> = {
  type: { ext: ['mime'], group: 'mimeopt' },
  subtype: { ext: ['mime'], group: 'mimeopt' },
  contenttype: { ext: ['mime'], group: 'mimeopt' },
  param: { ext: ['mime'], group: 'mimeopt', arg: 'strings' },
};

/** The modifiers of "set" (RFC 5229 §4), plus :encodeurl of RFC 5435 §6. */
const SET_MODIFIERS: Record<string, TagSpec> = {
  lower: { group: 'case' },
  upper: { group: 'case' },
  lowerfirst: { group: 'first' },
  upperfirst: { group: 'first' },
  quotewildcard: { group: 'quote' },
  quoteregex: { group: 'quote', ext: ['regex'] },
  encodeurl: { group: 'quote', ext: ['enotify'] },
  length: {},
};

const test = (s: Omit<Signature, 'kind'>): Signature => ({ kind: 'test', ...s });
const command = (s: Omit<Signature, 'kind'>): Signature => ({ kind: 'command', ...s });

export const SIGNATURES: Record<string, Signature> = {
  // tests (RFC 5228 §5 and extensions)
  address: test({
    match: true,
    tags: { ...ADDRESS_PARTS, ...INDEX_TAGS, ...MIME_TAGS },
    args: ['strings', 'strings'],
  }),
  envelope: test({ ext: ['envelope'], match: true, tags: ADDRESS_PARTS, args: ['strings', 'strings'] }),
  header: test({
    match: true,
    tags: { ...INDEX_TAGS, ...MIME_TAGS, ...MIME_OPTION_TAGS },
    args: ['strings', 'strings'],
  }),
  exists: test({ tags: MIME_TAGS, args: ['strings'] }),
  size: test({
    tags: { over: { arg: 'number', group: 'size' }, under: { arg: 'number', group: 'size' } },
    args: [],
  }),
  true: test({ args: [] }),
  false: test({ args: [] }),
  not: test({ args: [], tests: 'one' }),
  allof: test({ args: [], tests: 'list' }),
  anyof: test({ args: [], tests: 'list' }),
  body: test({
    ext: ['body'],
    match: true,
    tags: {
      raw: { group: 'transform' },
      text: { group: 'transform' },
      content: { group: 'transform', arg: 'strings' },
    },
    args: ['strings'],
  }),
  string: test({ ext: ['variables'], match: true, args: ['strings', 'strings'] }),
  hasflag: test({
    ext: ['imap4flags'],
    match: true,
    args: ['strings', 'strings'],
    optionalArgs: 1,
    optional: 'leading',
  }),
  date: test({
    ext: ['date'],
    match: true,
    tags: { ...ZONE_TAGS, originalzone: { group: 'zone' }, ...INDEX_TAGS },
    args: ['string', 'string', 'strings'],
  }),
  currentdate: test({ ext: ['date'], match: true, tags: ZONE_TAGS, args: ['string', 'strings'] }),
  mailboxexists: test({ ext: ['mailbox'], args: ['strings'] }),
  duplicate: test({
    ext: ['duplicate'],
    tags: {
      handle: { arg: 'string' },
      header: { arg: 'string', group: 'id' },
      uniqueid: { arg: 'string', group: 'id' },
      seconds: { arg: 'number' },
      last: {},
    },
    args: [],
  }),
  environment: test({ ext: ['environment'], match: true, args: ['string', 'strings'] }),
  valid_notify_method: test({ ext: ['enotify'], args: ['strings'] }),
  notify_method_capability: test({ ext: ['enotify'], match: true, args: ['string', 'string', 'strings'] }),
  spamtest: test({
    ext: ['spamtest', 'spamtestplus'],
    match: true,
    tags: { percent: { ext: ['spamtestplus'] } },
    args: ['string'],
  }),
  virustest: test({ ext: ['virustest'], match: true, args: ['string'] }),

  // commands
  require: command({ args: ['strings'] }),
  if: command({ args: [], tests: 'one', block: true }),
  elsif: command({ args: [], tests: 'one', block: true }),
  else: command({ args: [], block: true }),
  stop: command({ args: [] }),
  keep: command({ tags: { flags: { arg: 'strings', ext: ['imap4flags'] } }, args: [] }),
  discard: command({ args: [] }),
  fileinto: command({
    ext: ['fileinto'],
    tags: {
      copy: { ext: ['copy'] },
      flags: { arg: 'strings', ext: ['imap4flags'] },
      create: { ext: ['mailbox'] },
    },
    args: ['string'],
  }),
  redirect: command({ tags: { copy: { ext: ['copy'] } }, args: ['string'] }),
  reject: command({ ext: ['reject'], args: ['string'] }),
  ereject: command({ ext: ['ereject'], args: ['string'] }),
  vacation: command({
    ext: ['vacation', 'vacation-seconds'],
    tags: {
      days: { arg: 'number', group: 'period' },
      seconds: { arg: 'number', group: 'period', ext: ['vacation-seconds'] },
      subject: { arg: 'string' },
      from: { arg: 'string' },
      addresses: { arg: 'strings' },
      mime: {},
      handle: { arg: 'string' },
    },
    args: ['string'],
  }),
  set: command({ ext: ['variables'], tags: SET_MODIFIERS, args: ['string', 'string'] }),
  setflag: command({
    ext: ['imap4flags'],
    args: ['string', 'strings'],
    optionalArgs: 1,
    optional: 'leading',
  }),
  addflag: command({
    ext: ['imap4flags'],
    args: ['string', 'strings'],
    optionalArgs: 1,
    optional: 'leading',
  }),
  removeflag: command({
    ext: ['imap4flags'],
    args: ['string', 'strings'],
    optionalArgs: 1,
    optional: 'leading',
  }),
  addheader: command({ ext: ['editheader'], tags: { last: {} }, args: ['string', 'string'] }),
  deleteheader: command({
    ext: ['editheader'],
    match: true,
    tags: { index: { arg: 'number' }, last: {} },
    args: ['string', 'strings'],
    optionalArgs: 1,
    optional: 'trailing',
  }),
  include: command({
    ext: ['include'],
    tags: { personal: { group: 'location' }, global: { group: 'location' }, once: {}, optional: {} },
    args: ['string'],
  }),
  return: command({ ext: ['include'], args: [] }),
  notify: command({
    ext: ['enotify'],
    tags: {
      from: { arg: 'string' },
      importance: { arg: 'string' },
      options: { arg: 'strings' },
      message: { arg: 'string' },
    },
    args: ['string'],
  }),
  foreverypart: command({ ext: ['foreverypart'], tags: { name: { arg: 'string' } }, args: [], block: true }),
  break: command({ ext: ['foreverypart'], tags: { name: { arg: 'string' } }, args: [] }),
  extracttext: command({
    ext: ['extracttext'],
    tags: { ...SET_MODIFIERS, first: { arg: 'number' } },
    args: ['string'],
  }),
  global: command({ ext: ['include'], args: ['strings'] }),
};
