import { formatRanges, type RangeList } from '../sequence.js';
import type { ResponseWriter } from '../response.js';
import type { StatusItem } from '../parser/status.js';

export function exists(w: ResponseWriter, count: number): ResponseWriter {
  return w.raw(`* ${count} EXISTS\r\n`);
}

export function recent(w: ResponseWriter, count: number): ResponseWriter {
  return w.raw(`* ${count} RECENT\r\n`);
}

export function expunge(w: ResponseWriter, seq: number): ResponseWriter {
  return w.raw(`* ${seq} EXPUNGE\r\n`);
}

/** QRESYNC: UIDs gone; `earlier` when answering FETCH (VANISHED) or SELECT (QRESYNC). */
export function vanished(w: ResponseWriter, uids: RangeList, earlier: boolean): ResponseWriter {
  if (uids.length === 0) return w;
  return w.raw(`* VANISHED ${earlier ? '(EARLIER) ' : ''}${formatRanges(uids)}\r\n`);
}

export function flags(w: ResponseWriter, list: readonly string[]): ResponseWriter {
  return w.raw('* FLAGS ').flags(list).crlf();
}

export function capability(w: ResponseWriter, caps: readonly string[]): ResponseWriter {
  return w.raw(`* CAPABILITY ${caps.join(' ')}\r\n`);
}

export function enabled(w: ResponseWriter, caps: readonly string[]): ResponseWriter {
  return w.raw(`* ENABLED${caps.map((c) => ' ' + c).join('')}\r\n`);
}

export interface ListEntry {
  /** `\HasChildren`, `\Noselect`, `\Subscribed`, `\Sent`… */
  attributes: readonly string[];
  delimiter: string | null;
  name: string;
  /** LIST-EXTENDED CHILDINFO (RFC 5258) for RECURSIVEMATCH. */
  childInfo?: readonly string[];
  /** The name before a rename (RFC 9051 OLDNAME). */
  oldName?: string;
}

function listBody(w: ResponseWriter, kind: 'LIST' | 'LSUB', e: ListEntry): ResponseWriter {
  w.raw(`* ${kind} `).flags(e.attributes).sp();
  if (e.delimiter === null) w.nil();
  else w.string(e.delimiter);
  w.sp().mailbox(e.name);
  const ext: Array<() => void> = [];
  if (e.childInfo?.length) ext.push(() => w.raw('"CHILDINFO" ').list(e.childInfo!, (c) => w.string(c)));
  if (e.oldName !== undefined) ext.push(() => w.raw('"OLDNAME" (').mailbox(e.oldName!).raw(')'));
  if (ext.length) {
    w.raw(' (');
    ext.forEach((write, i) => {
      if (i) w.sp();
      write();
    });
    w.raw(')');
  }
  return w.crlf();
}

export function list(w: ResponseWriter, e: ListEntry): ResponseWriter {
  return listBody(w, 'LIST', e);
}

export function lsub(w: ResponseWriter, e: ListEntry): ResponseWriter {
  return listBody(w, 'LSUB', e);
}

/** Values for STATUS; MAILBOXID is a string, the rest numbers. */
export type StatusValues = Partial<Record<Exclude<StatusItem, 'MAILBOXID'>, number>> & { MAILBOXID?: string };

export function status(w: ResponseWriter, mailbox: string, values: StatusValues): ResponseWriter {
  w.raw('* STATUS ').mailbox(mailbox).raw(' (');
  let first = true;
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (!first) w.sp();
    first = false;
    w.raw(k === 'MAILBOXID' ? `MAILBOXID (${v})` : `${k} ${v}`);
  }
  return w.raw(')\r\n');
}

export interface Namespace {
  prefix: string;
  delimiter: string | null;
}

export function namespace(
  w: ResponseWriter,
  personal: readonly Namespace[],
  otherUsers: readonly Namespace[],
  shared: readonly Namespace[],
): ResponseWriter {
  w.raw('* NAMESPACE');
  for (const group of [personal, otherUsers, shared]) {
    w.sp();
    if (group.length === 0) {
      w.nil();
      continue;
    }
    w.list(group, (ns) => {
      w.raw('(').string(ns.prefix).sp();
      if (ns.delimiter === null) w.nil();
      else w.string(ns.delimiter);
      w.raw(')');
    });
  }
  return w.crlf();
}
