import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ScramCredential } from '../store/directory/account-repo.js';

/** SASL mechanism names and their hash (RFC 5802 SCRAM-SHA-1, RFC 7677 SCRAM-SHA-256), strongest first. */
export const SCRAM_MECHANISMS = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-1': 'sha1' } as const;
export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;

/** RFC 7677 §4 asks for at least 4096; the cost is paid once per password set, and per client login. */
export const SCRAM_ITERATIONS = 4096;

export function isScramMechanism(name: string): name is ScramMechanism {
  return Object.hasOwn(SCRAM_MECHANISMS, name);
}

const hmac = (hash: string, key: Buffer, data: string) => createHmac(hash, key).update(data).digest();

/**
 * SASLprep (RFC 4013) is NFKC plus mapping rarely used characters away; NFKC is what matters for
 * the passwords people type, and both client and server must agree on it.
 */
function normalize(password: string): string {
  return password.normalize('NFKC');
}

/** The verifier for one mechanism: StoredKey and ServerKey from a fresh salt (RFC 5802 §3). */
export async function scramCredential(
  mechanism: ScramMechanism,
  password: string,
  iterations = SCRAM_ITERATIONS,
  salt = randomBytes(16),
): Promise<ScramCredential> {
  const hash = SCRAM_MECHANISMS[mechanism];
  const len = hash === 'sha256' ? 32 : 20;
  const salted = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(normalize(password), salt, iterations, len, hash, (e, k) => (e ? reject(e) : resolve(k))),
  );
  const clientKey = hmac(hash, salted, 'Client Key');
  return {
    mechanism,
    salt,
    iterations,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, salted, 'Server Key'),
  };
}

export function scramCredentials(password: string): Promise<ScramCredential[]> {
  return Promise.all(
    (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).map((m) => scramCredential(m, password)),
  );
}

export class ScramError extends Error {}

/** RFC 5802 §5.1 saslname: "=2C" and "=3D" stand for "," and "="; any other "=" is malformed. */
function saslName(s: string): string {
  if (/=(?!2C|3D)/.test(s)) throw new ScramError('malformed user name');
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m) throw new ScramError(`malformed attribute "${part}"`);
    if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  }
  return out;
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * The server side of one SCRAM exchange, without I/O: `clientFirst` reads the user name, the
 * caller looks the verifier up, `serverFirst` sends the salt and nonce, `clientFinal` checks the
 * proof and gives the server signature. No channel binding (the -PLUS variants are not offered).
 */
export class ScramServer {
  private gs2Header = '';
  private clientFirstBare = '';
  private nonce = '';
  private serverFirstMessage = '';
  private credential: ScramCredential | undefined;
  username = '';
  authzid: string | undefined;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly serverNonce = randomBytes(18).toString('base64'),
  ) {}

  clientFirst(msg: string): void {
    const m = /^([nyp])(=[^,]*)?,(a=[^,]*)?,(.*)$/s.exec(msg);
    if (!m) throw new ScramError('malformed client-first-message');
    if (m[1] === 'p') throw new ScramError('channel binding is not supported');
    this.gs2Header = `${m[1]}${m[2] ?? ''},${m[3] ?? ''},`;
    this.clientFirstBare = m[4]!;
    if (m[3]) this.authzid = saslName(m[3].slice(2));
    const attrs = attributes(this.clientFirstBare);
    if (this.clientFirstBare.startsWith('m=')) throw new ScramError('unsupported mandatory extension');
    const n = attrs.get('n');
    const r = attrs.get('r');
    if (!n || !r || !PRINTABLE_NONCE.test(r)) throw new ScramError('client-first-message needs n= and r=');
    this.username = saslName(n);
    this.nonce = r + this.serverNonce;
  }

  serverFirst(credential: ScramCredential): string {
    this.credential = credential;
    this.serverFirstMessage = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    return this.serverFirstMessage;
  }

  /** Checks the client's proof; returns the server-final-message, or undefined when the proof is wrong. */
  clientFinal(msg: string): string | undefined {
    const cred = this.credential;
    if (!cred) throw new ScramError('client-final-message before server-first-message');
    const p = msg.lastIndexOf(',p=');
    if (p < 0) throw new ScramError('client-final-message without proof');
    const withoutProof = msg.slice(0, p);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64'))
      throw new ScramError('channel binding data does not match');
    if (attrs.get('r') !== this.nonce) throw new ScramError('nonce does not match');
    const proof = Buffer.from(msg.slice(p + 3), 'base64');
    const hash = SCRAM_MECHANISMS[this.mechanism];
    const authMessage = `${this.clientFirstBare},${this.serverFirstMessage},${withoutProof}`;
    const signature = hmac(hash, cred.storedKey, authMessage);
    if (proof.length !== signature.length) return undefined;
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    const stored = createHash(hash).update(clientKey).digest();
    if (!timingSafeEqual(stored, cred.storedKey)) return undefined;
    return `v=${hmac(hash, cred.serverKey, authMessage).toString('base64')}`;
  }
}
