import { startTestServer, type TestServer } from '../support/server.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A caller of /api/v1 over real HTTP: logs in like the admin UI (cookie + CSRF token) or uses
 * a bearer token. `csrf: false` leaves the header off to prove it is required.
 */
export class ApiClient {
  cookie: string | undefined;
  csrf: string | undefined;
  bearer: string | undefined;

  constructor(readonly base: string) {}

  static for(server: TestServer): ApiClient {
    return new ApiClient(`http://127.0.0.1:${server.port('http')}`);
  }

  async login(address: string, password: string): Promise<ApiResponse> {
    const r = await this.call('POST', '/session', { address, password });
    const set = r.headers.get('set-cookie');
    if (r.status === 200 && set) {
      this.cookie = set.split(';')[0];
      this.csrf = r.body.csrf;
    }
    return r;
  }

  async call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && opts.csrf !== false) headers['x-csrf-token'] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const res = await fetch(this.base + '/api/v1' + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text for the assertion message */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get = <T = any>(path: string) => this.call<T>('GET', path);
  post = <T = any>(path: string, body: unknown = {}) => this.call<T>('POST', path, body);
  put = <T = any>(path: string, body: unknown = {}) => this.call<T>('PUT', path, body);
  patch = <T = any>(path: string, body: unknown = {}) => this.call<T>('PATCH', path, body);
  delete = <T = any>(path: string) => this.call<T>('DELETE', path);
}

export const PASSWORD = 'correct horse battery staple';

/**
 * A directory with two domains and the four roles: a domain admin of a.test, a group admin of
 * group "sales" (a.test), users in "sales" and in "support", and a user of b.test.
 */
export async function startApiServer(settings: Record<string, string> = {}) {
  const server = await startTestServer(settings);
  const d = server.app.directory;
  await d.addDomain({ name: 'a.test' });
  await d.addDomain({ name: 'b.test' });
  await d.addGroup({ name: 'sales', domain: 'a.test' });
  await d.addGroup({ name: 'support', domain: 'a.test' });
  const sales = await d.getGroup('sales');
  const support = await d.getGroup('support');
  await d.addAccount({ address: 'dom@a.test', password: PASSWORD, role: 'domain-admin' });
  await d.addAccount({ address: 'lead@a.test', password: PASSWORD, groupId: sales.id });
  await d.addGroupAdmin('sales', 'lead@a.test');
  await d.addAccount({ address: 'seller@a.test', password: PASSWORD, groupId: sales.id });
  await d.addAccount({ address: 'helper@a.test', password: PASSWORD, groupId: support.id });
  await d.addAccount({ address: 'bob@b.test', password: PASSWORD });
  const as = async (address: string, password = PASSWORD) => {
    const c = ApiClient.for(server);
    const r = await c.login(address, password);
    if (r.status !== 200) throw new Error(`login ${address}: ${r.status} ${JSON.stringify(r.body)}`);
    return c;
  };
  return {
    server,
    as,
    admin: await as(server.adminAddress, server.adminPassword),
    domainAdmin: await as('dom@a.test'),
    groupAdmin: await as('lead@a.test'),
    user: await as('seller@a.test'),
    otherUser: await as('bob@b.test'),
  };
}
