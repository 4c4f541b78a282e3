import type { Logger } from '../log/logger.js';
import type { Config } from '../config/config.js';
import { OperatorError } from '../core/errors.js';
import { formatListenAddress, type ListenAddress } from '../config/types.js';
import type { Listenable, ProtocolService } from './service.js';

export interface BoundListener {
  service: string;
  key: string;
  address: string;
  server: Listenable;
}

function listen(server: Listenable, addr: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ host: addr.host, port: addr.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Binds every service to its configured addresses; a busy port names the key to change. */
export async function bindListeners(
  services: readonly ProtocolService[],
  config: Config,
  log: Logger,
): Promise<BoundListener[]> {
  const bound: BoundListener[] = [];
  try {
    for (const svc of services) {
      for (const addr of config.get<ListenAddress[]>(svc.key)) {
        const server = svc.createServer();
        try {
          await listen(server, addr);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          const where = formatListenAddress(addr);
          const fix = `change it with \`mailstead config set ${svc.key} HOST:PORT\` (or \`off\`)`;
          if (code === 'EADDRINUSE')
            throw new OperatorError(`${svc.key}: ${where} is already in use; ${fix}`);
          if (code === 'EACCES')
            throw new OperatorError(
              `${svc.key}: no permission to listen on ${where} (ports below 1024 need privileges); ${fix}`,
            );
          if (code === 'EADDRNOTAVAIL')
            throw new OperatorError(`${svc.key}: ${addr.host} is not an address of this machine; ${fix}`);
          throw e;
        }
        const a = server.address();
        const actual =
          typeof a === 'object' && a
            ? formatListenAddress({ host: a.address, port: a.port })
            : formatListenAddress(addr);
        bound.push({ service: svc.name, key: svc.key, address: actual, server });
        log.debug({ event: 'listening', service: svc.name, address: actual });
      }
    }
  } catch (e) {
    await closeListeners(bound);
    throw e;
  }
  return bound;
}

export async function closeListeners(bound: readonly BoundListener[]): Promise<void> {
  await Promise.all(bound.map((b) => new Promise<void>((r) => b.server.close(() => r()))));
}
