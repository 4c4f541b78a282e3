import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { openApp, type App } from './app.js';
import { CONFIG_FILE } from './config/config.js';
import type { KeyDef } from './config/schema.js';
import { OperatorError } from './core/errors.js';
import { createHttpService } from './http/http-service.js';
import type { BoundListener } from './server/listeners.js';
import { ServiceControl } from './server/service-control.js';
import type { ProtocolService } from './server/service.js';
import { protocolServices } from './server/services.js';
import { safeModeServices } from './server/safe-mode.js';
import { SqliteDb } from './store/sqlite/sqlite-db.js';
import { TlsManager } from './tls/tls-manager.js';
import { DeliveryLogQuery } from './ops/log/delivery-log-query.js';

export interface RunningServer {
  app: App;
  /** The listeners bound now (a service stopped from the admin UI has none). */
  readonly listeners: BoundListener[];
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Initialise the data dir first when it has none (what `npm start` does). */
  init?: boolean;
  out?: (line: string) => void;
  logDestination?: NodeJS.WritableStream;
  drainTimeoutMs?: number;
}

export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

/** The composition root: open the services of a data dir, bind every listener, run until stopped. */
export async function startServer(dataDir: string, opts: ServeOptions = {}): Promise<RunningServer> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const dir = resolve(dataDir);
  if (!existsSync(join(dir, CONFIG_FILE))) {
    if (!opts.init)
      throw new OperatorError(
        `${dir} is not a Mailstead data directory; run \`mailstead init --data ${dataDir}\` first`,
      );
    // Only a first start initialises, and only it needs the certificate generator (selfsigned:
    // 7 MB of heap that a running server would otherwise keep).
    const { initDataDir } = await import('./cli/init.js');
    const r = await initDataDir(dir, { hostname: hostname() });
    // Like Jenkins' initialAdminPassword: readable only by the owner, for a first login.
    writeFileSync(join(dir, INITIAL_PASSWORD_FILE), r.adminPassword + '\n', { mode: 0o600 });
    out(`Initialised ${dir}`);
    out(
      `Admin login: ${r.adminAddress}  password: ${r.adminPassword}  (also in ${join(dir, INITIAL_PASSWORD_FILE)}; change it with \`mailstead user passwd\`)`,
    );
  }
  const t0 = Date.now();
  const app = await openApp(dir, {
    serverLog: true,
    ...(opts.logDestination ? { logDestination: opts.logDestination } : {}),
  });
  if (app.store.db instanceof SqliteDb) app.store.db.checkpointInBackground();
  let tls: TlsManager | undefined;
  let control: ServiceControl | undefined;
  let services: ProtocolService[] = [];
  try {
    tls = new TlsManager(app.config, app.log);
    const http = await createHttpService(app, () => control!);
    const upgrade = app.store.upgrade;
    if (!upgrade.ok) out(`STORE UPGRADE FAILED, running in safe mode on the old schema: ${upgrade.message}`);
    services = [
      ...(upgrade.ok
        ? protocolServices(app, tls)
        : safeModeServices('store upgrade failed; see the server log')),
      http,
    ];
    control = new ServiceControl(services, app.config, app.log);
    await control.startAll();
  } catch (e) {
    // A listener that did bind is closed by startAll; a service's thread is ended by its drain.
    await Promise.all(services.map((s) => s.drain(0).catch(() => undefined)));
    tls?.close();
    await app.close();
    throw e;
  }
  const running = control;
  app.config.watch();
  app.config.on('change', (defs: KeyDef[]) => {
    for (const d of defs) {
      if (d.reload === 'restart')
        app.log.warn(
          { event: 'config_change', key: d.key },
          `${d.key} changed; restart the server to apply it`,
        );
      else app.log.info({ event: 'config_change', key: d.key }, `${d.key} changed; applied`);
    }
  });
  app.config.on('invalid', (e: Error) =>
    app.log.error({ event: 'config_invalid', err: e.message }, `config not reloaded: ${e.message}`),
  );

  const admin = await app.directory.listAccounts({ role: 'server-admin', limit: 1 });
  out(`Mailstead is running (data: ${dir}, started in ${Date.now() - t0} ms)`);
  const listeners = running.listeners();
  for (const l of listeners) out(`  ${l.service.padEnd(12)} ${l.address}`);
  const initialPassword = join(dir, INITIAL_PASSWORD_FILE);
  if (admin[0])
    out(
      `Admin login: ${admin[0].address}${existsSync(initialPassword) ? ` (initial password in ${initialPassword} until you change it)` : ''}`,
    );
  app.log.info(
    { event: 'started', listeners: listeners.map((l) => `${l.service}=${l.address}`), ms: Date.now() - t0 },
    'server started',
  );

  // Delivery-log rotation, retention and the analytics summary, kept current in the background.
  // The index is opened for each hourly run: an idle server need not hold a database handle and
  // its page cache for it in between.
  const maintainLog = () => {
    let logQuery: DeliveryLogQuery | undefined;
    try {
      logQuery = DeliveryLogQuery.open(app.config);
      logQuery.maintain(
        app.config.get<number>('log.delivery_rotate_size'),
        app.config.get<number>('log.delivery_retention'),
      );
    } catch (e) {
      app.log.warn({ event: 'delivery_log_maintenance_failed', err: (e as Error).message });
    } finally {
      logQuery?.close();
    }
  };
  const logTimer = setInterval(maintainLog, 3_600_000);
  logTimer.unref();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      app.log.info({ event: 'stopping' }, 'draining sessions');
      clearInterval(logTimer);
      const closed = running.closeAll();
      await Promise.all(services.map((s) => s.drain(opts.drainTimeoutMs ?? 10_000).catch(() => undefined)));
      await closed;
      tls?.close();
      await app.close();
    })());
  return {
    app,
    get listeners() {
      return running.listeners();
    },
    stop,
  };
}

/** `mailstead serve`: runs in the foreground until SIGTERM or SIGINT, then drains and exits. */
export async function serve(dataDir: string, opts: ServeOptions = {}): Promise<number> {
  // Listen for the signal before starting: one that arrives during start-up still stops cleanly.
  let signalled: string | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (sig: string) => {
    signalled = sig;
    wake?.();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const server = await startServer(dataDir, opts);
  if (!signalled) await new Promise<void>((r) => (wake = r));
  server.app.log.info({ event: 'signal', signal: signalled });
  await server.stop();
  return 0;
}
