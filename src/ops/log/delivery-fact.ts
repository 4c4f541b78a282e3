import type { DeliveryRecord } from '../../log/delivery-record.js';

/** Column codes the index stores for a record's kind and result. */
export const KIND = { local: 0, remote: 1 } as const;
export const RESULT = { success: 0, deferral: 1, failure: 2 } as const;

/**
 * What the analytics need from one delivery-log line. Addresses are lower-cased so that
 * `--sender Bob@Example.com` and `bob@example.com` are the same sender.
 * `auth` is the local account that submitted the message (the owner of outgoing mail); the owner
 * of incoming mail is the recipient of a local delivery.
 */
export interface DeliveryFact {
  time: number;
  sender: string;
  recipient: string;
  auth: string | null;
  kind: 0 | 1;
  result: 0 | 1 | 2;
  webmail: 0 | 1;
  size: number;
}

/** The code of a known name; undefined for anything else, including names inherited from Object. */
function codeOf<T extends Record<string, number>>(table: T, name: unknown): T[keyof T] | undefined {
  return typeof name === 'string' && Object.hasOwn(table, name) ? table[name as keyof T] : undefined;
}

/** Reads one log line; undefined for a line that is not a delivery record (torn, foreign). */
export function parseDeliveryLine(line: string): { fact: DeliveryFact; record: DeliveryRecord } | undefined {
  let r: DeliveryRecord;
  try {
    r = JSON.parse(line) as DeliveryRecord;
  } catch {
    return undefined;
  }
  const time = Date.parse(r?.time);
  const kind = codeOf(KIND, r.kind);
  const result = codeOf(RESULT, r.result);
  if (Number.isNaN(time) || kind === undefined || result === undefined || typeof r.recipient !== 'string')
    return undefined;
  return {
    record: r,
    fact: {
      time,
      sender: String(r.sender ?? '').toLowerCase(),
      recipient: r.recipient.toLowerCase(),
      // A foreign line may carry anything here; only a name is an account.
      auth: typeof r.authUser === 'string' && r.authUser ? r.authUser.toLowerCase() : null,
      kind,
      result,
      webmail: r.source === 'webmail' ? 1 : 0,
      size: Number(r.size) || 0,
    },
  };
}

/** A JSON literal other than a string, as the quick reader accepts it. */
const TOKEN = /^(?:null|true|false|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;

/**
 * Reads only the fields the index needs from a line as the delivery log writes it — one flat
 * object of strings, numbers and literals, no escapes, no spaces — in one pass of string
 * searches instead of a full JSON.parse, which was most of the cost of indexing a month of log.
 * With no backslash every `"` is structural. Any other line (escapes, nested values, torn lines)
 * goes through parseDeliveryLine; the two agree on every line (a property test checks it).
 */
export class FactReader {
  /** Epoch ms of the last "YYYY-MM-DDTHH" prefix seen: lines of an hour share it. */
  private hourPrefix = '';
  private hourMs = NaN;

  read(line: string): DeliveryFact | undefined {
    const last = line.length - 1;
    if (line.charCodeAt(0) !== 123 || line.charCodeAt(last) !== 125 || last < 2 || line.indexOf('\\') >= 0)
      return parseDeliveryLine(line)?.fact;
    // A value is kept as the string's text, or as the literal's text marked by `literal`.
    let time: string | undefined;
    let timeLiteral = false;
    let sender: string | null = null;
    let senderLiteral = false;
    let recipient: string | undefined;
    let kind: string | undefined;
    let result: string | undefined;
    let auth: string | null = null;
    let source: string | undefined;
    let size = 0;
    let p = 1;
    for (;;) {
      if (line.charCodeAt(p) !== 34) return parseDeliveryLine(line)?.fact;
      const keyEnd = line.indexOf('"', p + 1);
      if (keyEnd < 0 || line.charCodeAt(keyEnd + 1) !== 58) return parseDeliveryLine(line)?.fact;
      const v = keyEnd + 2;
      let value: string;
      let literal: boolean;
      let next: number;
      if (line.charCodeAt(v) === 34) {
        const close = line.indexOf('"', v + 1);
        if (close < 0) return parseDeliveryLine(line)?.fact;
        value = line.slice(v + 1, close);
        literal = false;
        next = close + 1;
      } else {
        next = v;
        for (
          let c = line.charCodeAt(next);
          c !== 44 && c !== 125 && next <= last;
          c = line.charCodeAt(++next)
        );
        value = line.slice(v, next);
        literal = true;
        if (!TOKEN.test(value)) return parseDeliveryLine(line)?.fact;
      }
      const keyLength = keyEnd - p - 1;
      const key = (name: string) => keyLength === name.length && line.startsWith(name, p + 1);
      if (key('time')) [time, timeLiteral] = [value, literal];
      else if (key('sender')) [sender, senderLiteral] = [literal && value === 'null' ? null : value, literal];
      else if (key('recipient')) recipient = literal ? undefined : value;
      else if (key('kind')) kind = literal ? undefined : value;
      else if (key('result')) result = literal ? undefined : value;
      else if (key('authUser')) auth = literal ? null : value;
      else if (key('source')) source = literal ? undefined : value;
      else if (key('size')) size = literal ? (value === 'true' ? 1 : Number(value) || 0) : Number(value) || 0;
      const c = line.charCodeAt(next);
      if (c === 125 && next === last) break;
      if (c !== 44) return parseDeliveryLine(line)?.fact;
      p = next + 1;
    }
    // Literals where a string belongs: JSON.parse and Date.parse give them meanings of their own.
    if ((timeLiteral && time !== 'null') || (senderLiteral && sender !== null))
      return parseDeliveryLine(line)?.fact;
    const t = time === undefined || timeLiteral ? NaN : this.time(time);
    const k = kind === 'local' ? 0 : kind === 'remote' ? 1 : undefined;
    const r = result === 'success' ? 0 : result === 'deferral' ? 1 : result === 'failure' ? 2 : undefined;
    if (Number.isNaN(t) || k === undefined || r === undefined || recipient === undefined) return undefined;
    return {
      time: t,
      sender: (sender ?? '').toLowerCase(),
      recipient: recipient.toLowerCase(),
      auth: auth ? auth.toLowerCase() : null,
      kind: k,
      result: r,
      webmail: source === 'webmail' ? 1 : 0,
      size,
    };
  }

  private time(text: string): number {
    // The writer's toISOString() form: YYYY-MM-DDTHH:MM:SS.sssZ. Others take Date.parse.
    if (
      text.length !== 24 ||
      text.slice(11, 13) > '23' ||
      text[13] !== ':' ||
      text[16] !== ':' ||
      text[19] !== '.' ||
      text[23] !== 'Z'
    )
      return Date.parse(text);
    const prefix = text.slice(0, 13);
    if (prefix !== this.hourPrefix) {
      this.hourPrefix = prefix;
      this.hourMs = Date.parse(`${prefix}:00:00.000Z`);
    }
    const digits = (from: number, count: number) => {
      let v = 0;
      for (let i = from; i < from + count; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return NaN;
        v = v * 10 + d;
      }
      return v;
    };
    const min = digits(14, 2);
    const sec = digits(17, 2);
    const ms = digits(20, 3);
    if (!(min < 60 && sec < 60)) return Date.parse(text);
    return this.hourMs + min * 60_000 + sec * 1000 + ms;
  }
}

/** The domain of an address, or of a bare domain; undefined for a login name without one. */
export function domainOf(name: string): string | undefined {
  const at = name.lastIndexOf('@');
  return at >= 0 ? name.slice(at + 1) : undefined;
}
