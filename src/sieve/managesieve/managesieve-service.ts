import { createServer, type Server, type Socket } from 'node:net';
import type { App } from '../../app.js';
import { newId } from '../../core/ids.js';
import type { ProtocolService } from '../../server/service.js';
import type { TlsManager } from '../../tls/tls-manager.js';
import { formatResponse } from './command.js';
import { ManageSieveSession } from './session.js';

/** ManageSieve (RFC 5804) on `listen.managesieve`, with STARTTLS from the TLS manager. */
export function manageSieveService(app: App, tls: TlsManager): ProtocolService {
  const sockets = new Set<Socket>();
  return {
    name: 'managesieve',
    key: 'listen.managesieve',
    createServer(): Server {
      return createServer((socket) => {
        socket.on('error', () => undefined);
        if (sockets.size >= app.config.get<number>('managesieve.max_connections')) {
          socket.end(formatResponse('BYE', 'Too many connections, try later', 'TRYLATER'));
          return;
        }
        sockets.add(socket);
        new ManageSieveSession(socket, {
          app,
          tlsOptions: () => tls.serverOptions(),
          log: app.log.child({ session: newId(), service: 'managesieve' }),
          onClose: () => sockets.delete(socket),
        });
      });
    },
    connections: () => sockets.size,
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (sockets.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const s of sockets) s.destroy();
    },
  };
}
