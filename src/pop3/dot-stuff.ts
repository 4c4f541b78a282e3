const LF_DOT = Buffer.from('\n.');

/**
 * Byte-stuffs a message for a POP3 multi-line response (RFC 1939 section 3): a line starting
 * with "." gets another "." in front. Works chunk by chunk, remembering whether the previous
 * chunk ended a line, so a message streams without being held whole.
 */
export class DotStuffer {
  private atLineStart = true;
  private lastByte = -1;

  push(chunk: Buffer): Buffer {
    if (!chunk.length) return chunk;
    // Lines starting with "." are rare: find them with the native search, not a byte loop.
    const dots: number[] = [];
    if (this.atLineStart && chunk[0] === 0x2e) dots.push(0);
    for (let at = chunk.indexOf(LF_DOT); at >= 0; at = chunk.indexOf(LF_DOT, at + 1)) dots.push(at + 1);
    this.atLineStart = chunk[chunk.length - 1] === 0x0a;
    this.lastByte = chunk[chunk.length - 1]!;
    if (!dots.length) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + dots.length);
    let from = 0;
    let o = 0;
    for (const d of dots) {
      o += chunk.copy(out, o, from, d);
      out[o++] = 0x2e;
      from = d;
    }
    chunk.copy(out, o, from);
    return out;
  }

  /** The terminating line; a message not ending in CRLF gets one first. */
  end(): Buffer {
    return Buffer.from(this.lastByte === -1 || this.lastByte === 0x0a ? '.\r\n' : '\r\n.\r\n');
  }
}

/** The header and the first `lines` lines of the body (TOP). */
export function topOfMessage(message: Buffer, lines: number): Buffer {
  let i = message.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = message.indexOf('\n\n');
  if (lf >= 0 && (i < 0 || lf < i)) {
    i = lf;
    sep = 2;
  }
  if (i < 0) return message;
  let end = i + sep;
  for (let n = 0; n < lines && end < message.length; n++) {
    const nl = message.indexOf(0x0a, end);
    end = nl < 0 ? message.length : nl + 1;
  }
  return message.subarray(0, end);
}
