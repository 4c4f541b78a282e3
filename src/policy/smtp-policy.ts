import addressparser from 'nodemailer/lib/addressparser';
import { isIPv6 } from 'node:net';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { parseAddress } from '../core/address.js';
import { aliasAcceptsSender } from '../directory/names.js';
import { MailsteadError } from '../core/errors.js';
import type { Account, Alias, Recipient } from '../directory/types.js';
import type { QuotaStatus } from '../mailbox/types.js';
import { cachedResolver } from '../delivery/remote/resolver.js';
import { cachedAccessMap } from './access-map.js';
import type { InboundClient } from './inbound-checks.js';
import { dnsblName } from './dnsbl.js';
import { cachedPatterns } from './address-pattern.js';
import { ConnectionCounts } from './connection-limits.js';
import { cachedNetworks } from './networks.js';
import { RateCounter } from './rate-counter.js';
import { refuse } from './refusal.js';

export type SendPermission = 'own' | 'send-as' | 'send-on-behalf';

/** What the policy needs from the directory (on the SMTP thread: the main thread's answers). */
export interface PolicyDirectory {
  /** Everything RCPT asks of the main thread about a recipient, in one call (see `recipientFacts`). */
  recipientFacts(
    address: string,
    sender: string | null,
    client: InboundClient | null,
  ): Promise<RecipientFacts>;
  mayUseAddress(account: Account, from: string): Promise<SendPermission | null>;
}

/** A recipient as RCPT sees it. */
export interface RecipientFacts {
  recipient: Recipient;
  /** The recipient is an enabled account already at or over its quota. */
  overQuota: boolean;
  /** Whether the given sender is a remote address; present only when the recipient's rules ask. */
  senderRemote?: boolean;
  /** The client's refusal by a DNS blacklist, applied once the recipient itself is accepted. */
  clientRefused?: { code: number; enhanced: string; text: string };
}

/** Where `recipientFacts` reads: the directory, the mailbox quota and the DNS blacklists. */
export interface RecipientSources {
  resolveRecipient(address: string): Promise<Recipient>;
  quotaStatus(accountId: number): Promise<QuotaStatus>;
  /** Throws the client's refusal when a DNS blacklist lists it. */
  checkClient?(client: InboundClient): Promise<void>;
}

/**
 * The answer to RCPT's questions, computed where the store is. The quota is read only for an
 * enabled account that has one (without one it cannot be full); the sender is resolved only
 * when the recipient's rules depend on where it is (an account receiving only local mail, a
 * restricted alias). Callers pass the sender only for a client that has not logged in (a login
 * proves the sender local already), and the client only when it is not exempt from blacklists.
 */
export async function recipientFacts(
  src: RecipientSources,
  address: string,
  sender: string | null,
  client: InboundClient | null,
): Promise<RecipientFacts> {
  const [recipient, clientRefused] = await Promise.all([
    src.resolveRecipient(address),
    client && src.checkClient ? blacklisted(src.checkClient(client)) : undefined,
  ]);
  const account = recipient.kind === 'account' && recipient.account.enabled ? recipient.account : null;
  const facts: RecipientFacts = { recipient, overQuota: false, ...(clientRefused ? { clientRefused } : {}) };
  if (account && (account.quotaBytes !== null || account.quotaMessages !== null)) {
    const q = await src.quotaStatus(account.id);
    facts.overQuota =
      (q.maxBytes !== null && q.usedBytes >= q.maxBytes) ||
      (q.maxMessages !== null && q.usedMessages >= q.maxMessages);
  }
  const senderMatters = account
    ? account.receiveLocalOnly
    : recipient.kind === 'alias' && recipient.alias.restricted;
  if (sender && senderMatters) facts.senderRemote = (await src.resolveRecipient(sender)).kind === 'remote';
  return facts;
}

/** A blacklist refusal as data, so it can wait behind the recipient's own refusals. */
async function blacklisted(check: Promise<void>): Promise<RecipientFacts['clientRefused']> {
  try {
    await check;
    return undefined;
  } catch (e) {
    if (!(e instanceof MailsteadError) || !e.smtp) throw e;
    return { code: e.smtp.code, enhanced: e.smtp.enhanced, text: e.message };
  }
}

/** What the policy knows about the client of a session. */
export interface ClientFacts {
  ip: string;
  /** The listener's role: MX (smtp) or message submission. */
  submission: boolean;
  secure: boolean;
  authRequired: boolean;
  helo: string | null;
  account: Account | null;
}

export interface MailDecision {
  sender: string;
  permission: SendPermission | null;
}

export interface RcptDecision {
  address: string;
  kind: 'local' | 'remote';
}

/** Header facts of a message, gathered while it streams in. */
export interface HeaderFacts {
  receivedCount: number;
  /** The raw values of the From: and Sender: headers, when present. */
  from: string | null;
  sender: string | null;
}

const MINUTE = 60_000;

/**
 * The SMTP server's decisions, stage by stage (Postfix's smtpd_*_restrictions). Each method
 * returns what to go on with or throws a MailsteadError carrying the exact reply. Every rule is
 * a config key read at use time, so changes apply to the next command.
 */
export class SmtpPolicy {
  private readonly connections = new ConnectionCounts();
  private readonly connectRate = new RateCounter(MINUTE);
  private readonly messageRate = new RateCounter(MINUTE);
  private readonly trusted = cachedNetworks(() => this.config.get<string[]>('smtp.trusted_networks'));
  private readonly senderAccess = cachedAccessMap(
    () => this.config.get<string[]>('smtp.sender_access'),
    'Sender address',
  );
  private readonly recipientAccess = cachedAccessMap(
    () => this.config.get<string[]>('smtp.recipient_access'),
    'Recipient address',
  );
  private readonly inboundBlacklist = cachedPatterns(() =>
    this.config.get<string[]>('smtp.inbound_blacklist'),
  );
  private readonly dns = cachedResolver(() => this.config.get<string[]>('dns.servers'));
  private readonly outboundBlacklist = cachedPatterns(() =>
    this.config.get<string[]>('smtp.outbound_blacklist'),
  );

  constructor(
    private readonly config: Config,
    private readonly directory: PolicyDirectory,
    private readonly clock: Clock,
  ) {}

  isTrusted(ip: string): boolean {
    return this.trusted().has(ip);
  }

  /** Admits a new connection and returns the function that ends its count. */
  connect(ip: string): () => void {
    if (this.connections.total >= this.config.get<number>('smtp.max_clients'))
      throw refuse(421, '4.7.0', 'Too many connections, try again later');
    if (!this.isTrusted(ip)) {
      const perIp = this.config.get<number>('smtp.max_clients_per_ip');
      if (perIp > 0 && this.connections.of(ip) >= perIp)
        throw refuse(421, '4.7.0', `Too many connections from ${ip}`);
      const rate = this.config.get<number>('smtp.client_connection_rate');
      if (rate > 0 && this.connectRate.hit(ip, this.clock.now()) > rate)
        throw refuse(421, '4.7.0', `Too many connections from ${ip} per minute, slow down`);
    }
    return this.connections.open(ip);
  }

  get openConnections(): number {
    return this.connections.total;
  }

  /**
   * With smtp.reject_unknown_client_hostname: the client's verified reverse name (a PTR name whose
   * address records include the client's IP, Postfix's "unknown" test), or a refusal: 550 5.7.25
   * when DNS says there is none, 450 4.7.25 when DNS could not answer (a DNS outage must not
   * bounce mail for good).
   */
  async clientHostname(ip: string): Promise<string | null> {
    if (!this.config.get<boolean>('smtp.reject_unknown_client_hostname') || this.isTrusted(ip)) return null;
    const dns = this.dns();
    let temporary = false;
    // A PTR query rather than dns.reverse(), which answers from /etc/hosts first.
    const ptr = dnsblName(ip, isIPv6(ip) ? 'ip6.arpa' : 'in-addr.arpa');
    const names = await (ptr ? dns.resolvePtr(ptr) : Promise.resolve([])).catch((e: unknown) => {
      temporary ||= !isNoData(e);
      return [] as string[];
    });
    for (const name of names.slice(0, 5)) {
      const addrs = await (isIPv6(ip) ? dns.resolve6(name) : dns.resolve4(name)).catch((e: unknown) => {
        temporary ||= !isNoData(e);
        return [] as string[];
      });
      if (addrs.some((a) => a.toLowerCase() === ip.toLowerCase())) return name;
    }
    const why = names.length ? `hostname ${names[0]} does not resolve to` : 'cannot find your hostname,';
    throw temporary
      ? refuse(450, '4.7.25', `Client host rejected: cannot find your hostname, [${ip}]`)
      : refuse(550, '5.7.25', `Client host rejected: ${why} [${ip}]`);
  }

  /** The domain appended to bare names given by authenticated clients. */
  defaultDomain(): string {
    return this.config.get<string>('smtp.default_domain') || this.config.get<string>('server.hostname');
  }

  /** An address with the default domain appended when an authenticated client gave a bare name. */
  normalize(c: ClientFacts, address: string): string {
    if (!address || address.includes('@') || !c.account) return address;
    return `${address}@${this.defaultDomain()}`;
  }

  async mailFrom(c: ClientFacts, rawSender: string): Promise<MailDecision> {
    if (c.authRequired && !c.account) {
      throw c.secure
        ? refuse(530, '5.7.0', 'Authentication required')
        : refuse(530, '5.7.0', 'Must issue a STARTTLS command first');
    }
    if (this.config.get<boolean>('smtp.helo_required') && !isQualifiedHelo(c.helo)) {
      throw refuse(504, '5.5.2', `<${c.helo ?? ''}>: Helo command rejected: need fully-qualified hostname`);
    }
    const trusted = this.isTrusted(c.ip);
    const rate = this.config.get<number>('smtp.client_message_rate');
    if (rate > 0 && !trusted && this.messageRate.hit(c.ip, this.clock.now()) > rate)
      throw refuse(421, '4.7.0', `Too many messages from ${c.ip} per minute, slow down`);
    const sender = this.normalize(c, rawSender);
    if (sender && this.config.get<boolean>('smtp.strict_rfc5321') && !parseAddress(sender))
      throw refuse(501, '5.1.7', `<${sender}>: Sender address syntax error`);
    if (sender) {
      const verdict = this.senderAccess().lookup(sender);
      if (verdict && !verdict.ok) throw verdict.error;
      if (!c.account && !verdict?.ok && this.inboundBlacklist()(sender))
        throw refuse(550, '5.7.1', `<${sender}>: Sender address rejected: blacklisted`);
    }
    if (!c.account) return { sender, permission: null };
    const permission = sender ? await this.directory.mayUseAddress(c.account, sender) : null;
    if (!permission)
      throw refuse(
        553,
        '5.7.1',
        `<${sender}>: Sender address rejected: not owned by user ${c.account.address}`,
      );
    return { sender, permission };
  }

  /** `inbound` is the client as DNS blacklists check it; null when it is exempt or none are checked. */
  async rcptTo(
    c: ClientFacts,
    mail: MailDecision,
    rawRcpt: string,
    inbound: InboundClient | null = null,
  ): Promise<RcptDecision> {
    const address = this.normalize(c, rawRcpt);
    if (
      !address.includes('@') ||
      (this.config.get<boolean>('smtp.strict_rfc5321') && !parseAddress(address))
    ) {
      throw refuse(501, '5.1.3', `<${address}>: Recipient address syntax error`);
    }
    const verdict = this.recipientAccess().lookup(address);
    if (verdict && !verdict.ok) throw verdict.error;
    if (c.account && !verdict?.ok && this.outboundBlacklist()(address))
      throw refuse(550, '5.7.1', `<${address}>: Recipient address rejected: blacklisted`);
    const facts = await this.directory.recipientFacts(
      address,
      c.account ? null : mail.sender || null,
      inbound,
    );
    const kind = this.recipientKind(c, mail, address, facts);
    const blocked = facts.clientRefused;
    if (blocked) throw refuse(blocked.code, blocked.enhanced, blocked.text);
    return { address, kind };
  }

  /** The recipient's own refusals, or whether it is delivered here or relayed. */
  private recipientKind(
    c: ClientFacts,
    mail: MailDecision,
    address: string,
    facts: RecipientFacts,
  ): RcptDecision['kind'] {
    const r = facts.recipient;
    switch (r.kind) {
      case 'unknown-local':
        throw refuse(
          550,
          '5.1.1',
          `<${address}>: Recipient address rejected: User unknown in local recipient table`,
        );
      case 'remote':
        if (c.account || this.isTrusted(c.ip)) return 'remote';
        throw refuse(554, '5.7.1', `<${address}>: Relay access denied`);
      case 'account': {
        const a = r.account;
        if (!a.enabled)
          throw refuse(550, '5.2.1', `<${address}>: Recipient address rejected: mailbox disabled`);
        if (a.receiveLocalOnly && !this.isLocalSender(c, mail.sender, facts)) {
          throw refuse(
            550,
            '5.7.1',
            `<${address}>: Recipient address rejected: accepts mail from local senders only`,
          );
        }
        if (facts.overQuota) throw refuse(452, '4.2.2', `<${address}>: Mailbox full, try again later`);
        return 'local';
      }
      case 'alias': {
        const al = r.alias;
        if (al.restricted && !this.mayPostTo(c, mail.sender, al, facts)) {
          throw refuse(
            550,
            '5.7.1',
            `<${address}>: Recipient address rejected: this list accepts mail only from its allowed senders`,
          );
        }
        return 'local';
      }
    }
  }

  /**
   * Checks the header block once it is in; throwing ends the transfer with the reply. For a
   * logged-in client the From: header is held to the same grants as MAIL FROM (else the envelope
   * check alone would let anyone put any author on a message): every From: address must be the
   * user's own or granted to them, and an address they may only send on behalf of, in From: or
   * in MAIL FROM, needs a Sender: header naming the user's own address.
   */
  async headers(c: ClientFacts, mail: MailDecision, h: HeaderFacts): Promise<void> {
    const max = this.config.get<number>('smtp.max_received_headers');
    if (h.receivedCount > max)
      throw refuse(554, '5.4.6', `Too many hops (${h.receivedCount} Received headers): mail loop detected`);
    const account = c.account;
    if (!account) return;
    let onBehalfOf = mail.permission === 'send-on-behalf' ? mail.sender : null;
    if (h.from !== null && this.config.get<boolean>('smtp.check_from_header')) {
      for (const a of headerAddresses(h.from)) {
        const p = await this.directory.mayUseAddress(account, a);
        if (!p)
          throw refuse(
            553,
            '5.7.1',
            `<${a}>: From: header address rejected: not owned by user ${account.address}`,
          );
        if (p === 'send-on-behalf') onBehalfOf ??= a;
      }
    }
    if (!onBehalfOf) return;
    const sender = h.sender === null ? [] : headerAddresses(h.sender);
    const own = sender.length === 1 && (await this.directory.mayUseAddress(account, sender[0]!)) === 'own';
    if (!own)
      throw refuse(
        553,
        '5.7.1',
        `Sending on behalf of <${onBehalfOf}> needs a "Sender: <${account.address}>" header`,
      );
  }

  /** How a session answers its n-th refusal: tarpit delay, or disconnect past the hard limit. */
  afterRefusal(errors: number): { delayMs: number; disconnect: MailsteadError | null } {
    if (errors >= this.config.get<number>('smtp.hard_error_limit'))
      return { delayMs: 0, disconnect: refuse(421, '4.7.0', 'Too many errors, closing connection') };
    const soft = this.config.get<number>('smtp.soft_error_limit');
    const delayMs =
      this.config.get<boolean>('smtp.tarpit') && errors > soft
        ? this.config.get<number>('smtp.error_sleep')
        : 0;
    return { delayMs, disconnect: null };
  }

  /** A local sender: an authenticated user, or a trusted network sending from a local domain. */
  private isLocalSender(c: ClientFacts, sender: string, facts: RecipientFacts): boolean {
    if (c.account) return true;
    if (!sender || !this.isTrusted(c.ip)) return false;
    return facts.senderRemote === false;
  }

  private mayPostTo(c: ClientFacts, sender: string, alias: Alias, facts: RecipientFacts): boolean {
    if (!sender || !aliasAcceptsSender(alias, sender)) return false;
    // A local address must be proven by login: anyone can write it in MAIL FROM.
    if (c.account) return true;
    return facts.senderRemote === true;
  }
}

/** DNS answers that mean "no such record" for good, as opposed to a failure to get an answer. */
function isNoData(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ENONAME';
}

function isQualifiedHelo(helo: string | null): boolean {
  if (!helo) return false;
  if (/^\[[0-9a-f:.]+\]$/i.test(helo) || /^\[ipv6:[0-9a-f:.]+\]$/i.test(helo)) return true;
  return /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/i.test(helo) && !/^\d+(\.\d+){3}$/.test(helo);
}

/** The addresses of an address-list header value (groups flattened). */
function headerAddresses(value: string): string[] {
  return addressparser(value, { flatten: true })
    .map((a) => a.address)
    .filter((a) => a.includes('@'));
}
