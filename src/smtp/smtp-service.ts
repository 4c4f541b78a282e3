import type { SecureContext } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { ProtocolService } from '../server/service.js';
import type { TlsManager } from '../tls/tls-manager.js';
import './engine-patches.js';
import { LISTENERS, type ListenerProfile } from './listener-profile.js';
import { SmtpSessionHandlers, type SmtpDeps } from './smtp-session.js';

/** smtp-server options for one listener; the handlers decide everything per session. */
function serverOptions(
  p: ListenerProfile,
  deps: SmtpDeps,
  tls: TlsManager,
  h: SmtpSessionHandlers,
): SMTPServerOptions {
  const { config } = deps;
  return {
    name: config.get<string>('smtp.hostname') || config.get<string>('server.hostname'),
    banner: config.get<string>('smtp.greeting'),
    secure: p.implicitTls,
    ...tls.serverOptions(),
    greetPause: config.get<number>('smtp.greet_pause'),
    bareAddressDomain: () => deps.policy.defaultDomain(),
    size: config.get<number>('smtp.max_message_size'),
    maxRecipients: config.get<number>('smtp.max_recipients'),
    socketTimeout: config.get<number>('smtp.timeout'),
    closeTimeout: 10_000,
    authMethods: ['PLAIN', 'LOGIN'],
    // The policy decides when AUTH is required (it also refuses MAIL without it); the engine's
    // own check would fire before STARTTLS, where AUTH is not even offered.
    authOptional: true,
    allowInsecureAuth: config.get<boolean>('auth.allow_plaintext'),
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    hideREQUIRETLS: true,
    disableReverseLookup: true,
    // Connection limits are the policy's (per IP, trusted networks exempt).
    maxClients: 0,
    logger: false,
    onConnect: h.onConnect,
    onSecure: h.onSecure,
    onAuth: h.onAuth,
    onMailFrom: h.onMailFrom,
    onRcptTo: h.onRcptTo,
    onData: h.onData,
    onClose: h.onClose,
  } as SMTPServerOptions;
}

/** One ProtocolService per SMTP listener (MX, submission, submissions). */
export function createSmtpServices(deps: SmtpDeps, tls: TlsManager): ProtocolService[] {
  return LISTENERS.map((p) => {
    const handlers = new SmtpSessionHandlers(p, deps);
    const servers: SMTPServer[] = [];
    return {
      name: p.name,
      key: p.key,
      createServer() {
        const s = new SMTPServer(serverOptions(p, deps, tls, handlers));
        // Connections without SNI use this map's '*' entry: serve the TlsManager's current certificate, which it reloads.
        s.secureContext = {
          get: (name: string) => tls.contextFor(name === '*' ? undefined : name),
        } as unknown as Map<string, SecureContext>;
        // The message size limit is live: the next EHLO advertises a changed value.
        deps.config.on('change', (defs: { key: string }[]) => {
          if (defs.some((d) => d.key === 'smtp.max_message_size'))
            s.options.size = deps.config.get<number>('smtp.max_message_size');
        });
        servers.push(s);
        return s.server;
      },
      connections: () => handlers.sessions,
      drain(timeoutMs) {
        return Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((resolve) => {
                s.options.closeTimeout = timeoutMs;
                s.close(() => resolve());
              }),
          ),
        ).then(() => undefined);
      },
    };
  });
}
