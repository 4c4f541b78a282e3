/**
 * An IMAP URL naming one message or a part of it (RFC 5092 `imessagepart`), as CATENATE
 * (RFC 4469) uses: absolute (`imap://user@host/INBOX;UIDVALIDITY=7/;UID=3/;SECTION=1.2`) or
 * relative to the server (`/INBOX/;UID=3`). URLAUTH, search and list forms are not messages
 * and are refused.
 */
export interface ImapMessageUrl {
  /** The user in the authority, percent-decoded; undefined when absent or relative. */
  user: string | undefined;
  /** Host as written (lower-cased), with the port if one was given; undefined when relative. */
  host: string | undefined;
  port: number | undefined;
  /** Mailbox name, percent-decoded UTF-8. */
  mailbox: string;
  uidvalidity: number | undefined;
  uid: number;
  /** Section text as for BODY[...], percent-decoded, upper-cased; undefined for the whole message. */
  section: string | undefined;
  partial: { offset: number; length: number | undefined } | undefined;
}

/** Why a URL is not usable, for `NO [BADURL url]`. */
export class ImapUrlError extends Error {
  override name = 'ImapUrlError';
}

const MAX_NZ = 4294967295;

function nz(text: string, what: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > MAX_NZ) throw new ImapUrlError(`Invalid ${what}`);
  return Number(text);
}

function decode(text: string, what: string): string {
  // bchar of RFC 5092: unreserved, sub-delims, ":", "@", "/" and percent-encoded octets.
  if (!/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/.test(text))
    throw new ImapUrlError(`Invalid character in ${what}`);
  let bytes: Buffer;
  try {
    bytes = Buffer.from(decodeURIComponent(text), 'utf8');
  } catch {
    throw new ImapUrlError(`Invalid UTF-8 in ${what}`);
  }
  const s = bytes.toString('utf8');
  if (/[\x00-\x1f\x7f]/.test(s)) throw new ImapUrlError(`Control character in ${what}`);
  return s;
}

export function parseImapUrl(url: string): ImapMessageUrl {
  let rest = url;
  let user: string | undefined;
  let host: string | undefined;
  let port: number | undefined;
  if (/^imap:\/\//i.test(rest)) {
    rest = rest.slice(7);
    const slash = rest.indexOf('/');
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (/;AUTH=/i.test(userinfo)) {
        const [u, auth] = userinfo.split(/;AUTH=/i);
        if (auth !== '*' && !/^[A-Za-z0-9\-_.]+$/.test(auth ?? '')) throw new ImapUrlError('Invalid AUTH');
        if (u) user = decode(u, 'user');
      } else user = decode(userinfo, 'user');
      if (user === '') throw new ImapUrlError('Empty user');
    }
    const hp = /^([A-Za-z0-9\-.]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/.exec(authority.slice(at + 1));
    if (!hp) throw new ImapUrlError('Invalid host');
    host = hp[1]!.toLowerCase();
    if (hp[2] !== undefined) {
      port = Number(hp[2]);
      if (port < 1 || port > 65535) throw new ImapUrlError('Invalid port');
    }
  } else if (!rest.startsWith('/')) {
    throw new ImapUrlError('Not an imap:// URL or a path from the server root');
  }
  // The message part: /mailbox[;UIDVALIDITY=n]/;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]
  const m =
    /^\/([^;?]*?)(?:;UIDVALIDITY=([^/]*))?\/;UID=([^/]*)(?:\/;SECTION=([^/]*))?(?:\/;PARTIAL=([0-9]+)(?:\.([0-9]+))?)?$/i.exec(
      rest,
    );
  if (!m) {
    if (/;(URLAUTH|EXPIRE)=/i.test(rest)) throw new ImapUrlError('URLAUTH is not supported');
    throw new ImapUrlError('Not the URL of a message (mailbox and ;UID= needed)');
  }
  const mailbox = decode(m[1]!, 'mailbox');
  if (!mailbox) throw new ImapUrlError('Empty mailbox');
  let partial: ImapMessageUrl['partial'];
  if (m[5] !== undefined) {
    const offset = Number(m[5]);
    if (m[5].length > 10 || offset > MAX_NZ) throw new ImapUrlError('Invalid partial range');
    partial = { offset, length: m[6] === undefined ? undefined : nz(m[6], 'partial length') };
  }
  return {
    user,
    host,
    port,
    mailbox,
    uidvalidity: m[2] === undefined ? undefined : nz(m[2], 'UIDVALIDITY'),
    uid: nz(m[3]!, 'UID'),
    section: m[4] === undefined ? undefined : decode(m[4], 'section').toUpperCase(),
    partial,
  };
}

/** Percent-encodes a mailbox name or section for a URL path segment. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The URL of a message part (the inverse of parseImapUrl, for tests and clients). */
export function formatImapUrl(u: ImapMessageUrl): string {
  let out = '';
  if (u.host !== undefined)
    out += `imap://${u.user !== undefined ? `${encode(u.user)}@` : ''}${u.host}${u.port !== undefined ? `:${u.port}` : ''}`;
  out += `/${encode(u.mailbox)}`;
  if (u.uidvalidity !== undefined) out += `;UIDVALIDITY=${u.uidvalidity}`;
  out += `/;UID=${u.uid}`;
  if (u.section !== undefined) out += `/;SECTION=${encode(u.section)}`;
  if (u.partial)
    out += `/;PARTIAL=${u.partial.offset}${u.partial.length !== undefined ? `.${u.partial.length}` : ''}`;
  return out;
}
