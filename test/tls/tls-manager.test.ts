import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, connect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.js';
import { TlsManager } from '../../src/tls/tls-manager.js';
import { tempDir } from '../support/tmp.js';

function peerName(port: number, servername: string, opts: { maxVersion?: 'TLSv1.1' } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = connect(
      { port, host: '127.0.0.1', servername, rejectUnauthorized: false, ...opts },
      () => {
        const cn = s.getPeerX509Certificate()?.subject ?? '';
        s.destroy();
        resolve(cn);
      },
    );
    s.on('error', reject);
  });
}

describe('TLS certificates: default, SNI, reload, TLS 1.2 floor', () => {
  let dir: string;
  let cleanup: () => void;
  let config: Config;
  let tls: TlsManager;
  let port: number;
  let server: ReturnType<typeof createServer>;

  before(async () => {
    ({ dir, cleanup } = tempDir());
    config = Config.create(dir, { 'server.hostname': 'mail.example.test' });
    await writeSelfSignedCertificate('mail.example.test', config.path('tls.cert'), config.path('tls.key'));
    await writeSelfSignedCertificate('mx.other.test', `${dir}/other.pem`, `${dir}/other.key`);
    await writeSelfSignedCertificate('wild.sub.test', `${dir}/wild.pem`, `${dir}/wild.key`);
    config.set(
      'tls.sni',
      `mx.other.test=${dir}/other.pem:${dir}/other.key, *.sub.test=${dir}/wild.pem:${dir}/wild.key`,
    );
    tls = new TlsManager(config, silentLogger());
    server = createServer(tls.serverOptions(), (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    server.close();
    tls.close();
    cleanup();
  });

  test('the certificate follows the name the client asks for', async () => {
    assert.match(await peerName(port, 'mail.example.test'), /CN=mail\.example\.test/);
    assert.match(await peerName(port, 'mx.other.test'), /CN=mx\.other\.test/);
    assert.match(await peerName(port, 'a.sub.test'), /CN=wild\.sub\.test/);
    assert.match(await peerName(port, 'unknown.test'), /CN=mail\.example\.test/);
  });

  test('TLS 1.1 is refused', async () => {
    await assert.rejects(peerName(port, 'mail.example.test', { maxVersion: 'TLSv1.1' }));
  });

  test('a renewed certificate file is picked up without a restart', async () => {
    const before = new X509Certificate((await import('node:fs')).readFileSync(config.path('tls.cert')))
      .serialNumber;
    await writeSelfSignedCertificate('renewed.example.test', config.path('tls.cert'), config.path('tls.key'));
    const end = Date.now() + 10_000;
    while (!/CN=renewed/.test(await peerName(port, 'mail.example.test'))) {
      if (Date.now() > end) throw new Error(`still serving serial ${before}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
