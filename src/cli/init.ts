import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { openApp } from '../app.js';
import { Config, CONFIG_FILE } from '../config/config.js';
import { normalizeDomain } from '../core/address.js';
import { OperatorError } from '../core/errors.js';
import { randomPassword } from '../directory/password.js';
import { writeSelfSignedCertificate } from '../tls/self-signed.js';
import { type CommandGroup, parseOptions } from './command.js';

export interface InitResult {
  adminAddress: string;
  adminPassword: string;
}

/** The mail domain of the first admin: the hostname without its first label (mail.example.com → example.com), or a short name itself. */
export function adminDomain(host: string): string {
  const labels = host.split('.');
  return labels.length >= 3 ? labels.slice(1).join('.') : host;
}

/**
 * Creates a data dir: the config file, a self-signed certificate for the hostname, the store,
 * the admin's domain and a server-admin account `admin@DOMAIN` with a random password. Refuses
 * a directory that exists and is not empty; undoes its work if a step fails.
 */
export async function initDataDir(
  dir: string,
  opts: { hostname?: string; settings?: Record<string, string> } = {},
): Promise<InitResult> {
  const dataDir = resolve(dir);
  const given = opts.hostname ?? (osHostname().includes('.') ? osHostname() : 'localhost');
  const host = normalizeDomain(given);
  if (!host) throw new OperatorError(`"${given}" is not a valid hostname`);
  if (existsSync(dataDir) && readdirSync(dataDir).length) {
    throw new OperatorError(
      existsSync(resolve(dataDir, CONFIG_FILE))
        ? `${dataDir} is already a Mailstead data directory; refusing to overwrite it`
        : `${dataDir} exists and is not empty; refusing to overwrite it (choose a new or empty directory)`,
    );
  }
  const created = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // Settings the store is opened with (store.url, store.blobs) must be there before it is.
    const config = Config.create(dataDir, { 'server.hostname': host, ...opts.settings });
    await writeSelfSignedCertificate(host, config.path('tls.cert'), config.path('tls.key'));
    const app = await openApp(dataDir);
    try {
      const domain = adminDomain(host);
      await app.directory.addDomain({ name: domain });
      const adminPassword = randomPassword();
      const admin = await app.directory.addAccount({
        address: `admin@${domain}`,
        password: adminPassword,
        role: 'server-admin',
        displayName: 'Administrator',
      });
      return { adminAddress: admin.address, adminPassword };
    } finally {
      await app.close();
    }
  } catch (e) {
    if (created) rmSync(dataDir, { recursive: true, force: true });
    else for (const f of readdirSync(dataDir)) rmSync(resolve(dataDir, f), { recursive: true, force: true });
    throw e;
  }
}

export const initCommand: CommandGroup = {
  async run(args, ctx) {
    const { values } = parseOptions(args, { hostname: { type: 'string' } }, false);
    const r = await initDataDir(
      ctx.dataDir,
      values.hostname === undefined ? {} : { hostname: values.hostname },
    );
    ctx.out(`initialised ${ctx.dataDir}`);
    ctx.out(`admin login: ${r.adminAddress}`);
    ctx.out(`password:    ${r.adminPassword}`);
    ctx.out('(shown only now; change it with `mailstead user passwd`)');
  },
};
