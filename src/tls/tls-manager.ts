import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls';
import type { Config } from '../config/config.js';
import { OperatorError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';

interface SniEntry {
  pattern: string;
  cert: string;
  key: string;
}

function parseSni(entries: string[]): SniEntry[] {
  return entries.map((e) => {
    const m = /^([^=]+)=([^:]+):(.+)$/.exec(e);
    if (!m) throw new OperatorError(`tls.sni: "${e}" is not HOSTNAME=CERTFILE:KEYFILE`);
    return { pattern: m[1]!.toLowerCase(), cert: m[2]!, key: m[3]! };
  });
}

/**
 * The server's certificates: a default one and per-hostname ones chosen by SNI. Files are
 * re-read when they change (a renewed certificate applies without a restart) and when the
 * tls.* settings change. TLS 1.2 is the floor.
 */
export class TlsManager {
  private defaultContext!: SecureContext;
  private sni = new Map<string, SecureContext>();
  private watched = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.load();
    config.on('change', (defs: { key: string }[]) => {
      if (defs.some((d) => d.key.startsWith('tls.'))) this.reload('settings changed');
    });
  }

  private context(certFile: string, keyFile: string): SecureContext {
    const cert = this.config.path(certFile);
    const key = this.config.path(keyFile);
    let pem: { cert: Buffer; key: Buffer };
    try {
      pem = { cert: readFileSync(cert), key: readFileSync(key) };
    } catch (e) {
      throw new OperatorError(`cannot read certificate ${cert} or key ${key}: ${(e as Error).message}`);
    }
    this.watch(cert);
    this.watch(key);
    return createSecureContext({
      ...pem,
      minVersion: this.config.get<'TLSv1.2' | 'TLSv1.3'>('tls.min_version'),
    });
  }

  private watch(file: string): void {
    if (this.watched.has(file)) return;
    this.watched.add(file);
    watchFile(file, { interval: 2000, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs) this.reload(`${file} changed`);
    });
  }

  private load(): void {
    this.defaultContext = this.context('tls.cert', 'tls.key');
    const sni = new Map<string, SecureContext>();
    for (const e of parseSni(this.config.get<string[]>('tls.sni')))
      sni.set(e.pattern, this.context(e.cert, e.key));
    this.sni = sni;
  }

  private reload(why: string): void {
    try {
      this.load();
      this.log.info({ event: 'tls_reload', why }, 'TLS certificates reloaded');
    } catch (e) {
      this.log.error(
        { event: 'tls_reload_failed', why, err: (e as Error).message },
        'TLS reload failed; keeping the previous certificates',
      );
    }
  }

  /** The context for a server name: exact match, then `*.parent`, then the default. */
  contextFor(servername: string | undefined): SecureContext {
    if (servername) {
      const name = servername.toLowerCase();
      const exact = this.sni.get(name);
      if (exact) return exact;
      const dot = name.indexOf('.');
      const wild = dot > 0 ? this.sni.get(`*${name.slice(dot)}`) : undefined;
      if (wild) return wild;
    }
    return this.defaultContext;
  }

  /** Options for tls.createServer / new TLSSocket({isServer: true}). */
  serverOptions(): TlsOptions {
    return {
      minVersion: this.config.get<'TLSv1.2' | 'TLSv1.3'>('tls.min_version'),
      SNICallback: (name, cb) => cb(null, this.contextFor(name)),
      secureContext: this.defaultContext,
    };
  }

  close(): void {
    for (const f of this.watched) unwatchFile(f);
    this.watched.clear();
  }
}
