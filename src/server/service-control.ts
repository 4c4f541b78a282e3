import type { Config } from '../config/config.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { formatListenAddress, type ListenAddress } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { bindListeners, closeListeners, type BoundListener } from './listeners.js';
import type { ProtocolService } from './service.js';

export type ServiceState = 'running' | 'stopped';

export interface ServiceStatus {
  service: string;
  /** The config key holding its addresses. */
  key: string;
  state: ServiceState;
  /** Bound addresses while running; the configured ones when stopped. */
  addresses: string[];
  connections: number;
  /** False for the listener that serves the admin API itself. */
  controllable: boolean;
}

/** How long sessions of a stopped service may finish what they are doing before they are cut. */
const STOP_GRACE_MS = 2_000;

/**
 * Starts and stops the listeners of each protocol service while the process runs, as the
 * status toggles of a classic control panel do for daemons. Stopping closes the service's
 * ports and ends its sessions; starting binds the addresses configured now, so a changed
 * `listen.*` key takes effect with a restart of that one service.
 */
export class ServiceControl {
  private bound = new Map<string, BoundListener[]>();
  private busy = new Set<string>();

  constructor(
    private readonly services: readonly ProtocolService[],
    private readonly config: Config,
    private readonly log: Logger,
    /** Services that cannot be stopped from inside (the HTTP listener answering the request). */
    private readonly fixed: ReadonlySet<string> = new Set(['http']),
  ) {}

  /** Binds every service; on failure nothing stays bound. */
  async startAll(): Promise<void> {
    const all = await bindListeners(this.services, this.config, this.log);
    for (const s of this.services)
      this.bound.set(
        s.name,
        all.filter((l) => l.service === s.name),
      );
  }

  listeners(): BoundListener[] {
    return this.services.flatMap((s) => this.bound.get(s.name) ?? []);
  }

  status(): ServiceStatus[] {
    return this.services.map((s) => {
      const bound = this.bound.get(s.name) ?? [];
      return {
        service: s.name,
        key: s.key,
        state: bound.length ? 'running' : 'stopped',
        addresses: bound.length
          ? bound.map((l) => l.address)
          : this.config.get<ListenAddress[]>(s.key).map(formatListenAddress),
        connections: s.connections(),
        controllable: !this.fixed.has(s.name),
      };
    });
  }

  async stop(name: string): Promise<ServiceStatus> {
    return this.exclusive(name, async (svc) => {
      const bound = this.bound.get(name) ?? [];
      if (!bound.length) throw new ConflictError(`${name} is not running`);
      this.bound.delete(name);
      const closed = closeListeners(bound);
      await svc.drain(STOP_GRACE_MS);
      await closed;
      this.log.info({ event: 'service_stopped', service: name }, `${name} stopped`);
    });
  }

  async start(name: string): Promise<ServiceStatus> {
    return this.exclusive(name, async (svc) => {
      if (this.bound.get(name)?.length) throw new ConflictError(`${name} is already running`);
      if (!this.config.get<ListenAddress[]>(svc.key).length)
        throw new ConflictError(`${svc.key} is off; give it an address in the settings first`);
      const bound = await bindListeners([svc], this.config, this.log);
      this.bound.set(name, bound);
      this.log.info(
        { event: 'service_started', service: name, addresses: bound.map((l) => l.address) },
        `${name} started`,
      );
    });
  }

  async restart(name: string): Promise<ServiceStatus> {
    if (this.bound.get(name)?.length) await this.stop(name);
    return this.start(name);
  }

  /** Closes every listener (server shutdown); sessions are drained by the caller. */
  async closeAll(): Promise<void> {
    const all = this.listeners();
    this.bound.clear();
    await closeListeners(all);
  }

  private async exclusive(
    name: string,
    run: (svc: ProtocolService) => Promise<void>,
  ): Promise<ServiceStatus> {
    const svc = this.services.find((s) => s.name === name);
    if (!svc) throw new NotFoundError(`service ${name}`);
    if (this.fixed.has(name))
      throw new ConflictError(
        `${name} serves this administration interface and cannot be stopped from it; restart the server instead`,
      );
    if (this.busy.has(name)) throw new ConflictError(`${name} is already starting or stopping`);
    this.busy.add(name);
    try {
      await run(svc);
    } finally {
      this.busy.delete(name);
    }
    return this.status().find((s) => s.service === name)!;
  }
}
