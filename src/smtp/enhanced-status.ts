import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;

/**
 * smtp-server derives an enhanced status code from the reply code alone (554 → 5.6.0 even for
 * "relay access denied", which is 5.7.1). Our replies carry their exact code from the policy, as
 * `X.Y.Z text`; this makes the engine send such text without adding a second, guessed code.
 * The engine's own replies keep its codes.
 */
const proto = SMTPConnection.prototype as unknown as { send(code: number, data: unknown, context?: unknown): void; __mailsteadPatched?: boolean };
if (!proto.__mailsteadPatched) {
  const send = proto.send;
  proto.send = function (this: unknown, code: number, data: unknown, context?: unknown) {
    return send.call(this, code, data, typeof data === 'string' && ENHANCED.test(data) ? false : context);
  };
  proto.__mailsteadPatched = true;
}
