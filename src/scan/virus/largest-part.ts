// Our own oversized-part check, independent of clamd's limits: the size of the largest MIME
// part body (encoded bytes), measured while streaming, so a huge message is never held whole.

const MAX_HEADER = 64 * 1024;

function boundaryOf(header: string): string | undefined {
  const ct = /^content-type:([^\n]*(?:\n[ \t][^\n]*)*)/im.exec(header)?.[1];
  if (!ct || !/^\s*multipart\//i.test(ct)) return undefined;
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(ct);
  return m?.[1] ?? m?.[2];
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Lines are found by byte and only header lines and lines starting with "--" are decoded: a
 * part's body is counted without turning it into strings (a 1 MB attachment made 1 MB of them).
 */
export async function largestPart(body: AsyncIterable<Buffer>): Promise<number> {
  const boundaries: string[] = [];
  let header = '';
  let inHeader = true;
  let partBytes = 0;
  let largest = 0;

  /** One line, buf[start, end) without its LF; `bytes` is what it occupies in the message. */
  const line = (buf: Buffer, start: number, end: number, bytes: number) => {
    const textEnd = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
    if (inHeader) {
      const text = buf.toString('latin1', start, textEnd);
      if (text.trim() === '') {
        const b = boundaryOf(header);
        if (b) boundaries.push(b);
        inHeader = false;
        header = '';
        partBytes = 0;
      } else if (header.length < MAX_HEADER) header += text + '\n';
      return;
    }
    if (textEnd - start >= 2 && buf[start] === 0x2d && buf[start + 1] === 0x2d) {
      const t = buf.toString('latin1', start, textEnd).trimEnd();
      for (let i = boundaries.length - 1; i >= 0; i--) {
        const b = boundaries[i]!;
        if (t !== `--${b}` && t !== `--${b}--`) continue;
        largest = Math.max(largest, partBytes);
        partBytes = 0;
        boundaries.length = t.endsWith('--') && t !== `--${b}` ? i : i + 1;
        inHeader = t === `--${b}`;
        return;
      }
    }
    partBytes += bytes;
  };

  let carry = EMPTY;
  for await (const chunk of body) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      line(buf, start, nl, nl - start + 1);
      start = nl + 1;
    }
    carry = buf.subarray(start);
    // a line without end (binary junk) is counted now rather than buffered without bound
    if (carry.length > 8192 && !inHeader) {
      partBytes += carry.length;
      carry = EMPTY;
    }
  }
  if (carry.length) line(carry, 0, carry.length, carry.length);
  return Math.max(largest, partBytes);
}
