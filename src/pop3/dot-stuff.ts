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
    let extra = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x2e && (i === 0 ? this.atLineStart : chunk[i - 1] === 0x0a)) extra++;
    }
    const start = this.atLineStart;
    this.atLineStart = chunk[chunk.length - 1] === 0x0a;
    this.lastByte = chunk[chunk.length - 1]!;
    if (!extra) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + extra);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === 0x2e && (i === 0 ? start : chunk[i - 1] === 0x0a)) out[o++] = 0x2e;
      out[o++] = c;
    }
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
