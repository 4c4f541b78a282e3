import type {
  SMTPServerAddress,
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerDataStream,
  SMTPServerSession,
} from 'smtp-server';
import type { Config } from '../config/config.js';
import { MailsteadError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Account, AuthContext } from '../directory/types.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { refuse } from '../policy/refusal.js';
import type { ClientFacts, MailDecision, SmtpPolicy } from '../policy/smtp-policy.js';
import type { EnvelopeRecipient } from '../queue/types.js';
import type { BlobRef } from '../store/blobs/blob-store.js';
import type { InboundClient } from '../policy/inbound-checks.js';
import { authModeKey, type AuthMode, type ListenerProfile } from './listener-profile.js';
import type { ReceivedMessage } from './message-intake.js';
import { receiveMessage } from './message-receiver.js';
import { receivedHeader } from './received-header.js';
import { toReply, type ReplyError } from './reply.js';

/**
 * The services an SMTP session calls. The session runs on the SMTP worker thread; everything that
 * needs the store answers from the main thread (see intake-thread.ts).
 */
export interface SmtpDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  policy: SmtpPolicy;
  authenticate(user: string, pass: string, ctx: AuthContext): Promise<Account>;
  storeBody(body: AsyncIterable<Buffer>): Promise<BlobRef>;
  /** The checks after DATA and the queue (see message-intake.ts): the hold reason, or a thrown refusal. */
  queueMessage(m: ReceivedMessage): Promise<string | null>;
  /** Told the listener's number of open sessions whenever it changes. */
  sessionsChanged?(listener: string, open: number): void;
}

/** Per-connection state beside smtp-server's session. */
interface SessionState {
  release: () => void;
  /** The client's verified reverse name (smtp-server resets session.clientHostname on every EHLO). */
  clientName: string | null;
  account: Account | null;
  errors: number;
  mail: MailDecision | null;
  recipients: EnvelopeRecipient[];
}

type Done = (err?: Error | null) => void;

const JOKES = ['WIZ', 'SHELL', 'KILL'];

/**
 * The SMTP command layer over smtp-server: turns each stage into policy calls and the DATA
 * stream into a queued message, and policy errors into replies. No business rule lives here.
 */
export class SmtpSessionHandlers {
  private readonly states = new Map<string, SessionState>();

  constructor(
    private readonly profile: ListenerProfile,
    private readonly deps: SmtpDeps,
  ) {}

  get sessions(): number {
    return this.states.size;
  }

  private authMode(): AuthMode {
    return this.deps.config.get<AuthMode>(authModeKey(this.profile));
  }

  /**
   * The commands a session refuses as unknown: smtp-server's sendmail jokes (WIZ answers
   * "200 Please pass, oh mighty wizard"), BDAT when smtp.chunking is off, and AUTH, which is
   * offered only on TLS (unless auth.allow_plaintext) and never when the mode is none.
   */
  private disabledCommands(secure: boolean): string[] {
    const mode = this.authMode();
    const noAuth = mode === 'none' || (!secure && !this.deps.config.get<boolean>('auth.allow_plaintext'));
    return [
      ...JOKES,
      ...(noAuth ? ['AUTH'] : []),
      ...(this.deps.config.get<boolean>('smtp.chunking') ? [] : ['BDAT']),
    ];
  }

  /** Our own users (logged in, on submission, or on a trusted network) skip the inbound checks. */
  private inboundClient(session: SMTPServerSession, st: SessionState): InboundClient {
    return {
      clientIp: session.remoteAddress,
      exempt: !!st.account || this.profile.submission || this.deps.policy.isTrusted(session.remoteAddress),
    };
  }

  private facts(session: SMTPServerSession, st: SessionState): ClientFacts {
    return {
      ip: session.remoteAddress,
      submission: this.profile.submission,
      secure: session.secure,
      authRequired: this.authMode() === 'required',
      helo: session.hostNameAppearsAs || null,
      account: st.account,
    };
  }

  private state(session: SMTPServerSession): SessionState {
    const st = this.states.get(session.id);
    if (!st) throw new Error(`no state for SMTP session ${session.id}`);
    return st;
  }

  /** Sends a refusal through the error counter: tarpit past the soft limit, 421 past the hard one. */
  private refuse(session: SMTPServerSession, e: unknown, done: Done): void {
    const st = this.states.get(session.id);
    const reply = toReply(e);
    if (reply.responseCode === 451 && !(e as { smtp?: unknown })?.smtp) {
      this.deps.log.error(
        { event: 'smtp_error', session: session.id, err: (e as Error)?.message },
        'SMTP command failed',
      );
    }
    this.deps.metrics
      .counter('mailstead_smtp_refusals_total', 'SMTP commands refused, by listener and code', [
        'listener',
        'code',
      ])
      .inc({ listener: this.profile.name, code: String(reply.responseCode) });
    if (!st) return done(reply);
    st.errors++;
    const next = this.deps.policy.afterRefusal(st.errors);
    const send = () => done(next.disconnect ? toReply(next.disconnect) : reply);
    if (next.delayMs > 0) setTimeout(send, next.delayMs).unref();
    else send();
  }

  onConnect = (session: SMTPServerSession, done: Done): void => {
    let release: () => void;
    try {
      release = this.deps.policy.connect(session.remoteAddress);
    } catch (e) {
      this.deps.metrics
        .counter('mailstead_smtp_connections_refused_total', 'SMTP connections refused at connect', [
          'listener',
        ])
        .inc({ listener: this.profile.name });
      return done(toReply(e));
    }
    const st: SessionState = {
      release,
      clientName: null,
      account: null,
      errors: 0,
      mail: null,
      recipients: [],
    };
    this.states.set(session.id, st);
    this.deps.sessionsChanged?.(this.profile.name, this.states.size);
    (session as SMTPServerSession & { disabledCommands?: string[] }).disabledCommands = this.disabledCommands(
      session.secure,
    );
    this.deps.policy.clientHostname(session.remoteAddress).then(
      (name) => {
        st.clientName = name;
        done();
      },
      (e) => {
        this.closed(session);
        done(toReply(e));
      },
    );
  };

  onSecure = (_socket: unknown, session: SMTPServerSession, done: Done): void => {
    (session as SMTPServerSession & { disabledCommands?: string[] }).disabledCommands =
      this.disabledCommands(true);
    done();
  };

  onAuth = (
    auth: SMTPServerAuthentication,
    session: SMTPServerSession,
    done: (err: Error | null | undefined, res?: SMTPServerAuthenticationResponse) => void,
  ): void => {
    const st = this.state(session);
    this.deps
      .authenticate(auth.username ?? '', auth.password ?? '', {
        ip: session.remoteAddress,
        protocol: this.profile.name,
      })
      .then(
        (account) => {
          st.account = account;
          this.deps.log.info({
            event: 'smtp_auth',
            session: session.id,
            user: account.address,
            method: auth.method,
          });
          done(null, { user: account.address });
        },
        (e) => this.refuse(session, toAuthReply(e), (err) => done(err)),
      );
  };

  onMailFrom = (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void => {
    const st = this.state(session);
    this.deps.policy.mailFrom(this.facts(session, st), address.address).then(
      (mail) => {
        st.mail = mail;
        st.recipients = [];
        done();
      },
      (e) => this.refuse(session, e, done),
    );
  };

  onRcptTo = (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void => {
    const st = this.state(session);
    const mail = st.mail;
    if (!mail) return done(toReply(new Error('no MAIL')));
    const inbound = this.inboundClient(session, st);
    this.deps.policy
      .rcptTo(this.facts(session, st), mail, address.address, inbound.exempt ? null : inbound)
      .then(
        (r) => {
          if (!st.recipients.some((x) => x.address.toLowerCase() === r.address.toLowerCase())) {
            st.recipients.push({
              address: r.address,
              kind: r.kind,
              orcpt: address.dsn?.orcpt ?? null,
              notify: address.dsn?.notify?.join(',') ?? null,
            });
          }
          done();
        },
        (e) => this.refuse(session, e, done),
      );
  };

  onData = (
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    done: (err?: Error | null, message?: string) => void,
  ): void => {
    const st = this.state(session);
    const started = process.hrtime.bigint();
    this.accept(stream, session, st).then(
      (queueId) => {
        this.deps.metrics
          .histogram(
            'mailstead_smtp_accept_seconds',
            'Time from end of DATA to the queued reply',
            ['listener'],
            [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
          )
          .observe({ listener: this.profile.name }, Number(process.hrtime.bigint() - started) / 1e9);
        done(null, `2.0.0 Ok: queued as ${queueId}`);
      },
      (e) => {
        // The reply goes out once smtp-server has read the rest of the DATA stream.
        stream.on('error', () => undefined);
        stream.resume();
        this.refuse(session, e, (err) => done(err as ReplyError));
      },
    );
  };

  private async accept(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    st: SessionState,
  ): Promise<string> {
    const { config, policy } = this.deps;
    const mail = st.mail!;
    const facts = this.facts(session, st);
    const queueId = newId();
    const tls = session.tlsOptions
      ? { version: session.tlsOptions.version, cipher: session.tlsOptions.name }
      : null;
    const trace = receivedHeader({
      helo: session.hostNameAppearsAs || null,
      clientName: st.clientName,
      clientIp: session.remoteAddress,
      hostname: config.get<string>('smtp.hostname') || config.get<string>('server.hostname'),
      protocol: session.transmissionType,
      queueId,
      tls,
      authUser: st.account?.address ?? null,
      recipients: st.recipients.map((r) => r.address),
      time: new Date(),
    });
    stream.on('error', () => undefined);
    const { blob, headers } = await receiveMessage(
      stream,
      {
        maxHeaderBytes: config.get<number>('smtp.max_header_size'),
        rejectBareLf: config.get<string>('smtp.bare_lf') === 'reject',
        onHeaders: (h) =>
          policy.headers(facts, mail, {
            receivedCount: h.receivedCount + 1,
            from: h.from,
            sender: h.sender,
          }),
      },
      this.deps.storeBody,
    );
    const holdReason = await this.deps.queueMessage({
      queueId,
      sender: mail.sender,
      recipients: st.recipients,
      blob,
      trace,
      messageId: headers.messageId,
      subject: headers.subject,
      clientIp: session.remoteAddress,
      clientName: st.clientName,
      helo: session.hostNameAppearsAs || null,
      authUser: st.account?.address ?? null,
      exempt: this.inboundClient(session, st).exempt,
      source: this.profile.submission ? 'submission' : 'smtp',
      dsnRet: session.envelope.dsn?.ret ?? null,
      dsnEnvid: session.envelope.dsn?.envid ?? null,
    });
    this.deps.log.info({
      event: 'queued',
      session: session.id,
      queueId,
      from: mail.sender,
      rcpts: st.recipients.length,
      size: blob.size,
      user: st.account?.address,
      held: holdReason ?? undefined,
    });
    this.deps.metrics
      .counter('mailstead_smtp_messages_total', 'Messages accepted over SMTP', ['listener'])
      .inc({ listener: this.profile.name });
    return queueId;
  }

  onClose = (session: SMTPServerSession): void => {
    this.closed(session);
  };

  private closed(session: SMTPServerSession): void {
    const st = this.states.get(session.id);
    if (!st) return;
    st.release();
    this.states.delete(session.id);
    this.deps.sessionsChanged?.(this.profile.name, this.states.size);
  }
}

/** Failed logins are 535 5.7.8 unless the directory says more (lockout: 454 4.7.0). */
function toAuthReply(e: unknown): unknown {
  return e instanceof MailsteadError && e.smtp
    ? e
    : refuse(535, '5.7.8', 'Authentication credentials invalid');
}
