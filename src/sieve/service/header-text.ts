import libmime from 'libmime';

/** A field value with CR/LF removed, so text from a script or a message cannot start a field of its own. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

/** A field value, RFC 2047-encoded when it is not printable ASCII. */
export function encodeHeader(s: string): string {
  return /[^\x20-\x7e]/.test(s) ? libmime.encodeWords(s, 'Q', 52) : s;
}

/** A text/plain body in base64, so any script text travels 7-bit clean. */
export function textBody(text: string): string {
  const b64 = Buffer.from(text.replace(/\r?\n/g, '\r\n')).toString('base64').replace(/.{76}/g, '$&\r\n');
  return `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`;
}
