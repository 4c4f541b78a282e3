import libmime from 'libmime';
import { Headers } from 'mailsplit';

/** What the server reads from a message's header block. */
export interface HeaderBlock {
  receivedCount: number;
  messageId: string | null;
  subject: string | null;
  from: string | null;
  sender: string | null;
}

/** Parses the top-level header block (bytes up to the blank line) with mailsplit. */
export function parseHeaderBlock(raw: Buffer): HeaderBlock {
  const h = new Headers(raw);
  const value = (key: string) => {
    const line = h.getFirst(key);
    return line
      ? line
          .replace(/^[^:]*:\s*/, '')
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim()
      : null;
  };
  const rawSubject = value('subject');
  const subject = rawSubject === null ? null : libmime.decodeWords(rawSubject);
  return {
    receivedCount: h.get('received').length,
    messageId: value('message-id'),
    subject: subject === null ? null : subject.slice(0, 998),
    from: value('from'),
    sender: value('sender'),
  };
}

/** Where the header block ends in `buf` (index after the blank line), or -1 if not yet. */
export function headerEnd(buf: Buffer): number {
  if (buf[0] === 0x0d && buf[1] === 0x0a) return 2;
  if (buf[0] === 0x0a) return 1;
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf + 2 <= lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}
