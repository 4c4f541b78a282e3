import { MailsteadError, NotFoundError, PermissionError } from '../core/errors.js';
import type { AppendSource, CatenatePart } from './proto/parser/append.js';
import { parseSectionText } from './proto/parser/fetch.js';
import { ImapUrlError, parseImapUrl, type ImapMessageUrl } from './proto/imap-url.js';
import { applyPartial, extractSection } from './proto/section.js';
import { parseStructure } from './proto/structure.js';
import type { ImapSession } from './session.js';

function badUrl(url: string, why: string): MailsteadError {
  return new MailsteadError(why, { imap: { status: 'NO', code: `BADURL ${url}` } });
}

/** The bytes an IMAP URL names, read with the session user's rights (the mailbox service checks `r`). */
async function readUrl(s: ImapSession, url: string): Promise<Buffer> {
  let u: ImapMessageUrl;
  try {
    u = parseImapUrl(url);
  } catch (e) {
    if (e instanceof ImapUrlError) throw badUrl(url, e.message);
    throw e;
  }
  const actor = s.actor!;
  // Only this server's messages, read as the logged-in user: no URLAUTH.
  if (u.host !== undefined) {
    const names = [s.app.config.get<string>('server.hostname').toLowerCase(), 'localhost', s.localAddress];
    if (!names.includes(u.host.replace(/^\[|\]$/g, ''))) throw badUrl(url, 'Not a URL of this server');
  }
  if (u.user !== undefined && u.user.toLowerCase() !== actor.address.toLowerCase())
    throw badUrl(url, "Another user's URL");
  let raw: Buffer;
  try {
    const folder = await s.app.mailbox.folders.resolve(actor, u.mailbox, 'r');
    if (u.uidvalidity !== undefined && u.uidvalidity !== folder.row.uidvalidity)
      throw badUrl(url, 'UIDVALIDITY has changed');
    raw = await s.app.mailbox.messages.read(actor, { id: folder.row.id }, u.uid);
  } catch (e) {
    // No such folder or message, or no right to read it: the same answer, so nothing is revealed.
    if (e instanceof NotFoundError || e instanceof PermissionError) throw badUrl(url, 'No such message');
    throw e;
  }
  let data: Buffer | null = raw;
  if (u.section !== undefined) {
    let section;
    try {
      section = parseSectionText(u.section);
    } catch {
      throw badUrl(url, 'Invalid section');
    }
    data = extractSection(raw, parseStructure(raw), section);
    if (!data) throw badUrl(url, 'No such section');
  }
  if (u.partial)
    data = applyPartial(data, { offset: u.partial.offset, length: u.partial.length ?? data.length });
  return data;
}

/**
 * The message a CATENATE (RFC 4469) makes: its parts in order, literal text from the command or
 * its spool, URL parts read now. Refused with TOOBIG above the append limit.
 */
export async function catenate(
  s: ImapSession,
  parts: readonly CatenatePart[],
  literal: (source: AppendSource) => Promise<Buffer | AsyncIterable<Buffer>>,
): Promise<AsyncIterable<Buffer>> {
  const limit = s.app.config.get<number>('mailbox.append_limit');
  const pieces: Array<Buffer | AsyncIterable<Buffer>> = [];
  let size = 0;
  for (const p of parts) {
    if ('url' in p) {
      const data = await readUrl(s, p.url);
      size += data.length;
      pieces.push(data);
    } else {
      size += Buffer.isBuffer(p.text) ? p.text.length : p.text.size;
      pieces.push(await literal(p.text));
    }
    if (size > limit)
      throw new MailsteadError('The message would be over the append limit', {
        imap: { status: 'NO', code: 'TOOBIG' },
      });
  }
  return (async function* () {
    for (const piece of pieces) {
      if (Buffer.isBuffer(piece)) yield piece;
      else yield* piece;
    }
  })();
}
