/** Notification methods of RFC 5435: only mailto (RFC 5436), whose URIs are RFC 6068's. */

export interface MailtoUri {
  /** Envelope recipients: the URI's addresses and its to and cc fields (RFC 5436 §2.7). */
  recipients: string[];
  to: string[];
  cc: string[];
  subject?: string;
  body?: string;
}

/** More recipients than this in one notification is refused, so a script cannot mass-mail. */
export const MAX_NOTIFY_RECIPIENTS = 8;

const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function isMailAddress(s: string): boolean {
  return ADDRESS.test(s.trim().replace(/^<(.*)>$/, '$1'));
}

class MailtoError extends Error {}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new MailtoError(`bad %-escape in "${s}"`);
  }
}

function addresses(list: string): string[] {
  const out = list
    .split(',')
    .map((a) => decode(a).trim())
    .filter(Boolean);
  for (const a of out) if (!isMailAddress(a)) throw new MailtoError(`"${a}" is not a mail address`);
  return out;
}

/** Parses a mailto URI; throws an Error naming the problem. */
export function parseMailto(uri: string): MailtoUri {
  const m = /^mailto:([^?]*)(?:\?(.*))?$/is.exec(uri);
  if (!m) throw new MailtoError(`"${uri}" is not a mailto URI`);
  const to = addresses(m[1]!);
  const cc: string[] = [];
  const out: MailtoUri = { recipients: [], to, cc };
  for (const field of (m[2] ?? '').split('&').filter(Boolean)) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw new MailtoError(`bad header field "${field}" in "${uri}"`);
    const name = decode(field.slice(0, eq)).toLowerCase();
    const value = field.slice(eq + 1);
    // RFC 5436 §2.7: other URI fields (from, auto-submitted, received, …) are ignored.
    if (name === 'to') to.push(...addresses(value));
    else if (name === 'cc') cc.push(...addresses(value));
    else if (name === 'subject') out.subject = decode(value);
    else if (name === 'body') out.body = decode(value);
  }
  out.recipients = [...new Set([...to, ...cc].map((a) => a.replace(/^<(.*)>$/, '$1')))];
  if (!out.recipients.length) throw new MailtoError(`"${uri}" names no recipient`);
  if (out.recipients.length > MAX_NOTIFY_RECIPIENTS)
    throw new MailtoError(`"${uri}" names more than ${MAX_NOTIFY_RECIPIENTS} recipients`);
  return out;
}

/** Why a notify method cannot be used, or undefined when it can. */
export function notifyMethodProblem(uri: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return `"${uri}" is not a URI`;
  if (scheme !== 'mailto') return `notification method "${scheme}" is not supported (only mailto)`;
  try {
    parseMailto(uri);
    return undefined;
  } catch (e) {
    if (e instanceof MailtoError) return e.message;
    throw e;
  }
}

/** RFC 5435 §5: the "online" capability of mailto is always "maybe" (we cannot know). */
export function notifyCapability(uri: string, capability: string): string[] {
  if (notifyMethodProblem(uri)) return [];
  return capability.toLowerCase() === 'online' ? ['maybe'] : [];
}
