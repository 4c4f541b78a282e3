import type { ResponseWriter } from '../response.js';

export function acl(
  w: ResponseWriter,
  mailbox: string,
  entries: ReadonlyArray<[string, string]>,
): ResponseWriter {
  w.raw('* ACL ').mailbox(mailbox);
  for (const [id, rights] of entries) w.sp().astring(id).sp().astring(rights);
  return w.crlf();
}

export function listRights(
  w: ResponseWriter,
  mailbox: string,
  identifier: string,
  required: string,
  optional: readonly string[],
): ResponseWriter {
  w.raw('* LISTRIGHTS ').mailbox(mailbox).sp().astring(identifier).sp();
  if (required) w.astring(required);
  else w.raw('""');
  for (const group of optional) w.sp().astring(group);
  return w.crlf();
}

export function myRights(w: ResponseWriter, mailbox: string, rights: string): ResponseWriter {
  return w.raw('* MYRIGHTS ').mailbox(mailbox).sp().astring(rights).crlf();
}

export interface QuotaResource {
  /** STORAGE (in KiB), MESSAGE, MAILBOX, ANNOTATION-STORAGE. */
  resource: string;
  usage: number;
  limit: number;
}

export function quota(w: ResponseWriter, root: string, resources: readonly QuotaResource[]): ResponseWriter {
  w.raw('* QUOTA ').astring(root).sp();
  w.list(resources, (r) => w.raw(`${r.resource} ${r.usage} ${r.limit}`));
  return w.crlf();
}

export function quotaRoot(w: ResponseWriter, mailbox: string, roots: readonly string[]): ResponseWriter {
  w.raw('* QUOTAROOT ').mailbox(mailbox);
  for (const r of roots) w.sp().astring(r);
  return w.crlf();
}

/** One METADATA response; values are bytes and may need literal8. */
export function metadata(
  w: ResponseWriter,
  mailbox: string,
  values: ReadonlyArray<[string, Buffer | null]>,
): ResponseWriter {
  w.raw('* METADATA ');
  if (mailbox === '') w.raw('""');
  else w.mailbox(mailbox);
  w.sp().list(values, ([entry, value]) => {
    w.astring(entry).sp();
    if (value === null) w.nil();
    else if (value.includes(0)) w.literal(value, true);
    else w.string(value);
  });
  return w.crlf();
}

export function id(w: ResponseWriter, params: ReadonlyArray<[string, string | null]> | null): ResponseWriter {
  w.raw('* ID ');
  if (params === null || params.length === 0) return w.nil().crlf();
  w.list(params, ([k, v]) => w.string(k).sp().nstring(v));
  return w.crlf();
}
