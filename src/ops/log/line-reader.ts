import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 4 * 1024 * 1024;

/**
 * Calls `onLine` for every complete line in bytes [start, end) of a file, with the line's byte
 * offsets. Returns the offset after the last complete line: a line still being written is left
 * for the next call. Lines longer than the chunk are read whole by growing the buffer.
 */
export function readLines(
  path: string,
  start: number,
  end: number,
  onLine: (line: string, lineStart: number, lineEnd: number) => void,
): number {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let pos = start;
    while (pos < end) {
      const want = Math.min(buf.length, end - pos);
      const got = readSync(fd, buf, 0, want, pos);
      if (got <= 0) break;
      let from = 0;
      for (let nl = buf.indexOf(10, 0); nl >= 0 && nl < got; nl = buf.indexOf(10, from)) {
        onLine(buf.toString('utf8', from, nl), pos + from, pos + nl + 1);
        from = nl + 1;
      }
      if (from === 0) {
        if (got < want || pos + got >= end) break;
        buf = Buffer.allocUnsafe(buf.length * 2);
        continue;
      }
      pos += from;
    }
    return pos;
  } finally {
    closeSync(fd);
  }
}
