import type { App } from '../../app.js';
import type { ServiceControl } from '../../server/service-control.js';
import { DeliveryLogQuery } from '../../ops/log/delivery-log-query.js';
import type { BrandingService } from '../branding/branding.js';
import type { SessionService } from '../session/sessions.js';
import type { ApiTokenService } from '../session/tokens.js';

/** The running server's services, to report and to start and stop (set once the server binds). */
export type ServicesSource = () => Pick<ServiceControl, 'status' | 'start' | 'stop' | 'restart'>;

/** What the route modules work with: the services, plus what only the HTTP layer holds. */
export interface ApiContext {
  app: App;
  sessions: SessionService;
  tokens: ApiTokenService;
  services: ServicesSource;
  branding: BrandingService;
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
