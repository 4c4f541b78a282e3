import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

export interface IssuedCert {
  key: string;
  cert: string;
}

/** A certificate authority of the test's own (openssl), issuing server certificates for names. */
export class TestCa {
  private readonly dir: string;
  private readonly cleanup: () => void;
  readonly cert: string;
  private serial = 1;

  constructor() {
    ({ dir: this.dir, cleanup: this.cleanup } = tempDir('mailstead-ca-'));
    this.openssl(
      `req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=Mailstead-Test-CA`,
    );
    this.cert = readFileSync(join(this.dir, 'ca.crt'), 'utf8');
  }

  /** A server certificate for `names` (the first is the CN), signed by this CA. */
  issue(...names: string[]): IssuedCert {
    const n = this.serial++;
    writeFileSync(
      join(this.dir, `${n}.ext`),
      `subjectAltName=${names.map((x) => `DNS:${x}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
    );
    this.openssl(`req -newkey rsa:2048 -nodes -keyout ${n}.key -out ${n}.csr -subj /CN=${names[0]}`);
    this.openssl(
      `x509 -req -in ${n}.csr -CA ca.crt -CAkey ca.key -set_serial ${n} -days 2 -out ${n}.crt -extfile ${n}.ext`,
    );
    return {
      key: readFileSync(join(this.dir, `${n}.key`), 'utf8'),
      cert: readFileSync(join(this.dir, `${n}.crt`), 'utf8'),
    };
  }

  /** Runs openssl with space-separated arguments (none of ours holds a space). */
  private openssl(args: string): void {
    execFileSync('openssl', args.split(' '), { cwd: this.dir, stdio: 'pipe' });
  }

  close(): void {
    this.cleanup();
  }
}
