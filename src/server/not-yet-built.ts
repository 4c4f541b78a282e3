import { createServer, type Socket } from 'node:net';
import type { ProtocolService } from './service.js';

const REFUSALS = {
  smtp: (why: string) => `421 4.3.2 ${why}\r\n`,
  imap: (why: string) => `* BYE [UNAVAILABLE] ${why}\r\n`,
  pop3: (why: string) => `-ERR [SYS/TEMP] ${why}\r\n`,
  managesieve: (why: string) => `BYE (TRYLATER) "${why.replaceAll('"', "'")}"\r\n`,
} as const;

export type RefusalProtocol = keyof typeof REFUSALS;

/**
 * A listener that cannot serve (not built yet, or its store component is behind after a failed
 * upgrade): the port answers with the protocol's own polite refusal and closes, so clients see
 * a clear message rather than a dead port.
 */
export function refusingService(
  name: string,
  key: string,
  protocol: RefusalProtocol,
  why: string,
): ProtocolService {
  const refusal = REFUSALS[protocol](why.replace(/[\r\n]+/g, ' '));
  const sockets = new Set<Socket>();
  return {
    name,
    key,
    createServer() {
      return createServer((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
        s.end(refusal);
      });
    },
    connections: () => sockets.size,
    async drain() {
      for (const s of sockets) s.destroy();
    },
  };
}

export function notYetBuilt(name: string, key: string, protocol: RefusalProtocol): ProtocolService {
  return refusingService(name, key, protocol, 'Service not yet available on this server');
}
