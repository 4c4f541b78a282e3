// Our own oversized-part check, independent of clamd's limits: the size of the largest MIME
// part body (encoded bytes), measured while streaming, so a huge message is never held whole.

const MAX_HEADER = 64 * 1024;

function boundaryOf(header: string): string | undefined {
  const ct = /^content-type:([^\n]*(?:\n[ \t][^\n]*)*)/im.exec(header)?.[1];
  if (!ct || !/^\s*multipart\//i.test(ct)) return undefined;
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(ct);
  return m?.[1] ?? m?.[2];
}

export async function largestPart(body: AsyncIterable<Buffer>): Promise<number> {
  const boundaries: string[] = [];
  let header = '';
  let inHeader = true;
  let partBytes = 0;
  let largest = 0;
  let carry = '';

  const line = (text: string, bytes: number) => {
    if (inHeader) {
      if (text.trim() === '') {
        const b = boundaryOf(header);
        if (b) boundaries.push(b);
        inHeader = false;
        header = '';
        partBytes = 0;
      } else if (header.length < MAX_HEADER) header += text + '\n';
      return;
    }
    if (text.startsWith('--')) {
      const t = text.trimEnd();
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

  for await (const chunk of body) {
    // latin1 keeps one char per byte, so lengths are byte counts
    const text = carry + chunk.toString('latin1');
    const lines = text.split('\n');
    carry = lines.pop()!;
    for (const l of lines) line(l.replace(/\r$/, ''), l.length + 1);
    // a line without end (binary junk) is counted now rather than buffered without bound
    if (carry.length > 8192 && !inHeader) {
      partBytes += carry.length;
      carry = '';
    }
  }
  if (carry) line(carry, carry.length);
  return Math.max(largest, partBytes);
}
