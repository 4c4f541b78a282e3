import { createServer, type Socket } from 'node:net';
import type { ProtocolService } from './service.js';

const REFUSALS = {
  smtp: '421 4.3.2 Service not yet available on this server\r\n',
  imap: '* BYE [UNAVAILABLE] Service not yet available on this server\r\n',
  pop3: '-ERR [SYS/PERM] Service not yet available on this server\r\n',
  managesieve: 'BYE (TRYLATER) "Service not yet available on this server"\r\n',
  http: 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 41\r\n\r\nService not yet available on this server\n',
} as const;

/**
 * A listener for a service that is not built yet: the port answers with the protocol's own
 * polite refusal and closes, so clients see a clear message rather than a dead port.
 */
export function notYetBuilt(name: string, key: string, protocol: keyof typeof REFUSALS): ProtocolService {
  const sockets = new Set<Socket>();
  return {
    name,
    key,
    createServer() {
      return createServer((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
        s.end(REFUSALS[protocol]);
      });
    },
    connections: () => sockets.size,
    async drain() {
      for (const s of sockets) s.destroy();
    },
  };
}
