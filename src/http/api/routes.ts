import { accountRoutes } from './account-routes.js';
import { brandingRoutes } from './branding-routes.js';
import { aliasRoutes } from './alias-routes.js';
import { configRoutes } from './config-routes.js';
import type { ApiContext } from './context.js';
import { domainRoutes } from './domain-routes.js';
import { filterRoutes } from './filter-routes.js';
import { folderRoutes } from './folder-routes.js';
import { groupRoutes } from './group-routes.js';
import { i18nRoutes } from './i18n-routes.js';
import { logRoutes } from './log-routes.js';
import { queueRoutes } from './queue-routes.js';
import { scanRoutes } from './scan-routes.js';
import type { ApiRoute } from './route.js';
import { sessionRoutes } from './session-routes.js';
import { sieveRoutes } from './sieve-routes.js';
import { sharedMailboxRoutes } from './shared-mailbox-routes.js';
import { statusRoutes } from './status-routes.js';
import { tokenRoutes } from './token-routes.js';

/** Every endpoint of /api/v1, in the order the OpenAPI document lists them. */
export function apiRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    ...sessionRoutes(ctx),
    ...tokenRoutes(ctx),
    ...statusRoutes(ctx),
    ...domainRoutes(ctx),
    ...accountRoutes(ctx),
    ...groupRoutes(ctx),
    ...aliasRoutes(ctx),
    ...sharedMailboxRoutes(ctx),
    ...folderRoutes(ctx),
    ...filterRoutes(ctx),
    ...sieveRoutes(ctx),
    ...configRoutes(ctx),
    ...queueRoutes(ctx),
    ...scanRoutes(ctx),
    ...logRoutes(ctx),
    ...i18nRoutes(ctx),
    ...brandingRoutes(ctx),
  ];
}
