import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { App } from '../app.js';
import { newId } from '../core/ids.js';
import type { ProtocolService } from '../server/service.js';
import type { TlsManager } from '../tls/tls-manager.js';
import { ConnectionLimits } from './connection-limits.js';
import { EnvelopeCache } from './envelope-cache.js';
import { ImapSession } from './session.js';

/** The imap (STARTTLS) and imaps (implicit TLS) services, sharing connection limits and the envelope cache. */
export function imapServices(app: App, tls: TlsManager): ProtocolService[] {
  const shared = {
    limits: new ConnectionLimits(app.config),
    envelopes: new EnvelopeCache(app.config.get<number>('imap.envelope_cache_size')),
  };
  return [imapService(app, tls, shared, false), imapService(app, tls, shared, true)];
}

function imapService(
  app: App,
  tls: TlsManager,
  { limits, envelopes }: { limits: ConnectionLimits; envelopes: EnvelopeCache },
  implicitTls: boolean,
): ProtocolService {
  const sessions = new Set<ImapSession>();
  const name = implicitTls ? 'imaps' : 'imap';
  const onConnection = (raw: Socket) => {
    const ip = raw.remoteAddress ?? '';
    // Responses are written in whole batches; Nagle would only hold back the tagged line.
    raw.setNoDelay(true);
    // Wrapping the accepted socket uses the TLS manager's live contexts (SNI, reloads).
    const socket = implicitTls ? new TLSSocket(raw, { isServer: true, ...tls.serverOptions() }) : raw;
    socket.on('error', () => undefined);
    const admitted = limits.admit(ip);
    if (admitted !== 'ok') {
      socket.end(
        `* BYE [UNAVAILABLE] Too many connections${admitted === 'ip' ? ' from your address' : ''}, try later\r\n`,
      );
      return;
    }
    const session = new ImapSession(socket, {
      app,
      limits,
      envelopes,
      tlsOptions: () => tls.serverOptions(),
      secure: implicitTls,
      log: app.log.child({ session: newId(), service: name }),
      onClose: () => {
        sessions.delete(session);
        limits.release(ip);
      },
    });
    sessions.add(session);
  };
  return {
    name,
    key: implicitTls ? 'listen.imaps' : 'listen.imap',
    createServer(): Server {
      return createServer(onConnection);
    },
    connections: () => sessions.size,
    async drain(timeoutMs) {
      for (const s of sessions) s.shutdown();
      const deadline = Date.now() + timeoutMs;
      while (sessions.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const s of sessions) s.destroy();
    },
  };
}
