/**
 * Splits an mbox stream into messages. A message starts at a `From ` line at the start of the
 * file or after an empty line (the separator that mboxo, mboxrd and Dovecot's and mutt's mbox
 * all write); the empty line before the next `From ` belongs to the separator, not the message.
 * `>From ` lines are unquoted the mboxrd way (one `>` removed). Content-Length is not trusted.
 */
export interface MboxEntry {
  /** The `From ` line without its line end. */
  fromLine: string;
  /** The message, LF or CRLF as stored, without the separator. */
  raw: Buffer;
}

const FROM = Buffer.from('From ');
const QUOTED_FROM = /^>+From /;

export async function* splitMbox(chunks: AsyncIterable<Buffer>): AsyncIterable<MboxEntry> {
  let carry = Buffer.alloc(0);
  let fromLine: string | undefined;
  let lines: Buffer[] = [];
  let previousEmpty = true;
  const finish = (): MboxEntry | undefined => {
    if (fromLine === undefined) return undefined;
    const last = lines.at(-1);
    if (last && isEmptyLine(last)) lines.pop();
    const entry = { fromLine, raw: Buffer.concat(lines) };
    lines = [];
    return entry;
  };
  const take = function* (line: Buffer): Generator<MboxEntry> {
    if (previousEmpty && line.subarray(0, 5).equals(FROM)) {
      const done = finish();
      if (done) yield done;
      fromLine = line.toString('latin1').replace(/\r?\n$/, '');
      previousEmpty = false;
      return;
    }
    previousEmpty = isEmptyLine(line);
    if (fromLine === undefined) return; // text before the first From line is not a message
    lines.push(line[0] === 0x3e && QUOTED_FROM.test(line.subarray(0, 64).toString('latin1')) ? line.subarray(1) : line);
  };
  for await (const chunk of chunks) {
    let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      yield* take(buf.subarray(start, nl + 1));
      start = nl + 1;
    }
    carry = Buffer.from(buf.subarray(start));
    buf = carry;
  }
  if (carry.length) yield* take(carry);
  const done = finish();
  if (done) yield done;
}

function isEmptyLine(line: Buffer): boolean {
  return line.length === 1 ? line[0] === 10 : line.length === 2 && line[0] === 13 && line[1] === 10;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ASCTIME = /(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:[A-Z]{3,4}\s+|[+-]\d{4}\s+)?(\d{4})/;

/** The time in a `From sender Www Mmm dd hh:mm:ss yyyy` line (read as UTC), or undefined. */
export function fromLineDate(fromLine: string): number | undefined {
  const m = ASCTIME.exec(fromLine);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[6]), MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0));
  return Number.isFinite(t) ? t : undefined;
}
