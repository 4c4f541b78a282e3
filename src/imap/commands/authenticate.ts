import type { AuthenticateCommand } from '../proto/parser/authenticate.js';
import { decodeSaslResponse } from '../proto/parser/authenticate.js';
import type { LoginCommand } from '../proto/parser/login.js';
import { continuation } from '../proto/protocol/status.js';
import { errorReply } from '../reply.js';
import type { ImapSession } from '../session.js';
import { NOT_AUTHENTICATED, type CommandHandler } from './handler.js';

const PLAINTEXT_REFUSED = 'Plaintext authentication is disabled on an insecure connection; use STARTTLS';

/** Authenticates and enters the authenticated state; the tagged reply carries the new capabilities. */
async function login(s: ImapSession, tag: string, user: string, pass: string): Promise<void> {
  let account;
  try {
    account = await s.app.directory.authenticate(user, pass, {
      ip: s.remoteAddress || null,
      protocol: 'imap',
    });
  } catch (e) {
    await s.send(errorReply(tag, e));
    return;
  }
  if (!s.opts.limits.login(account.id)) {
    await s.no(tag, 'Too many sessions for this account', 'LIMIT');
    return;
  }
  s.actor = await s.app.mailbox.actorFor(account.id);
  s.state = 'auth';
  s.log.info({ event: 'imap_login', user: account.address });
  await s.ok(tag, 'Logged in', `CAPABILITY ${s.capabilities().join(' ')}`);
}

export const loginCommand: CommandHandler<LoginCommand> = {
  states: NOT_AUTHENTICATED,
  async run(s, cmd) {
    if (!s.plaintextAllowed()) await s.no(cmd.tag, PLAINTEXT_REFUSED, 'PRIVACYREQUIRED');
    else await login(s, cmd.tag, cmd.username, cmd.password);
    return null;
  },
};

/** One step of a SASL exchange: the decoded client response, or null when the client cancelled. */
type Step = (response: Buffer | null) => Promise<void>;

/** Sends a challenge and runs `step` on the client's answer line. */
function challenge(s: ImapSession, tag: string, text: string, step: Step): Promise<void> {
  s.expectLine(async (line) => {
    let response: Buffer | null;
    try {
      response = decodeSaslResponse(line);
    } catch (e) {
      await s.send(errorReply(tag, e));
      return;
    }
    if (response === null) await s.bad(tag, 'Authentication cancelled');
    else await step(response);
  });
  return s.send(continuation(text));
}

function plain(s: ImapSession, tag: string): Step {
  return async (response) => {
    const [authz, user, pass] = response!.toString('utf8').split('\0');
    if (user === undefined || pass === undefined) await s.bad(tag, 'Malformed PLAIN response');
    else if (authz && authz !== user)
      await s.no(tag, 'Acting as another user is not allowed', 'AUTHORIZATIONFAILED');
    else await login(s, tag, user, pass);
  };
}

function loginMechanism(s: ImapSession, tag: string): Step {
  return async (userResponse) => {
    const user = userResponse!.toString('utf8');
    await challenge(s, tag, Buffer.from('Password:').toString('base64'), async (pass) =>
      login(s, tag, user, pass!.toString('utf8')),
    );
  };
}

/** AUTHENTICATE PLAIN and LOGIN, with SASL-IR (RFC 4959). */
export const authenticateCommand: CommandHandler<AuthenticateCommand> = {
  states: NOT_AUTHENTICATED,
  async run(s, cmd) {
    const steps: Record<string, () => Step> = {
      PLAIN: () => plain(s, cmd.tag),
      LOGIN: () => loginMechanism(s, cmd.tag),
    };
    const make = steps[cmd.mechanism];
    if (!make) {
      await s.no(cmd.tag, `Unsupported mechanism ${cmd.mechanism}`, 'CANNOT');
      return null;
    }
    if (!s.plaintextAllowed()) {
      await s.no(cmd.tag, PLAINTEXT_REFUSED, 'PRIVACYREQUIRED');
      return null;
    }
    const step = make();
    if (cmd.initialResponse !== undefined) await step(cmd.initialResponse);
    else
      await challenge(
        s,
        cmd.tag,
        cmd.mechanism === 'LOGIN' ? Buffer.from('Username:').toString('base64') : '',
        step,
      );
    return null;
  },
};
