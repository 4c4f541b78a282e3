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

/** Where the header block ends in `buf` (index after the first empty line, CRLF or bare LF), or -1 if not yet. */
export function headerEnd(buf: Buffer): number {
  let start = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
    if (i === start || (i === start + 1 && buf[start] === 0x0d)) return i + 1;
    start = i + 1;
  }
  return -1;
}
