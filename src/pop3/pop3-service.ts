import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { App } from '../app.js';
import { newId } from '../core/ids.js';
import type { ProtocolService } from '../server/service.js';
import type { TlsManager } from '../tls/tls-manager.js';
import type { MaildropLocks } from './maildrop-locks.js';
import { Pop3Session } from './session.js';

/**
 * POP3 on one `listen.*` key: plain with STLS (`listen.pop3`) or implicit TLS (`listen.pop3s`).
 * Both share `locks`, so a maildrop is open in one session whichever port it came through.
 */
export function pop3Service(
  app: App,
  tls: TlsManager,
  locks: MaildropLocks,
  implicitTls: boolean,
): ProtocolService {
  const sockets = new Set<Socket>();
  const onConnection = (raw: Socket) => {
    // Each reply is written whole as soon as it is ready. Nagle would hold it back while the one
    // before is unacknowledged: pipelined RETR of 10,000 4 KB messages took 8-9 s with it, 0.7-1.4
    // without (bench/pop3/retr.ts's client, same machine and load).
    raw.setNoDelay(true);
    // Wrapping the accepted socket (rather than a tls.Server) uses the TLS manager's live
    // contexts, with the default certificate for clients that send no SNI.
    const socket = implicitTls ? new TLSSocket(raw, { isServer: true, ...tls.serverOptions() }) : raw;
    const log = app.log.child({ session: newId(), service: implicitTls ? 'pop3s' : 'pop3' });
    if (sockets.size >= app.config.get<number>('pop3.max_connections')) {
      socket.on('error', () => undefined);
      socket.end('-ERR [SYS/TEMP] Too many connections, try later\r\n');
      return;
    }
    sockets.add(socket);
    new Pop3Session(socket, {
      app,
      locks,
      tlsOptions: () => tls.serverOptions(),
      secure: implicitTls,
      log,
      onClose: () => sockets.delete(socket),
    });
  };
  return {
    name: implicitTls ? 'pop3s' : 'pop3',
    key: implicitTls ? 'listen.pop3s' : 'listen.pop3',
    createServer(): Server {
      return createServer(onConnection);
    },
    connections: () => sockets.size,
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (sockets.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const s of sockets) s.destroy();
    },
  };
}
