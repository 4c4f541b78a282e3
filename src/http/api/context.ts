import type { App } from '../../app.js';
import { DeliveryLogQuery } from '../../ops/log/delivery-log-query.js';
import type { SessionService } from '../session/sessions.js';
import type { ApiTokenService } from '../session/tokens.js';

/** Each listener's service, address and open sessions (what /healthz reports). */
export type HealthSource = () => { service: string; address: string; connections: number }[];

/** What the route modules work with: the services, plus what only the HTTP layer holds. */
export interface ApiContext {
  app: App;
  sessions: SessionService;
  tokens: ApiTokenService;
  health: HealthSource;
  /** The delivery-log analytics, opened on first use (it keeps an index file open). */
  logQuery(): DeliveryLogQuery;
}

export function lazyLogQuery(app: App): { get: () => DeliveryLogQuery; close: () => void } {
  let q: DeliveryLogQuery | undefined;
  return {
    get: () => (q ??= DeliveryLogQuery.open(app.config)),
    close: () => q?.close(),
  };
}
