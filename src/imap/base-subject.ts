/**
 * The base subject of RFC 5256 section 2.1, used by SORT SUBJECT and THREAD: reply and forward
 * markers, `[list]` tags and `(fwd)` trailers removed, whitespace collapsed, upper-cased for the
 * i;ascii-casemap comparison.
 */
export function baseSubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (;;) {
    const before = s;
    s = s.replace(/\s*\(fwd\)$/i, '').trim();
    s = s.replace(/^(?:\[[^\]]*\]\s*)*(?:re|fwd?)\s*(?:\[[^\]]*\])?\s*:\s*/i, '');
    const tag = /^\[[^\]]*\]\s*(.+)$/.exec(s);
    if (tag) s = tag[1]!;
    const fwd = /^\[fwd:\s*(.*)\]$/i.exec(s);
    if (fwd) s = fwd[1]!.trim();
    if (s === before) return s.toUpperCase();
  }
}

/** Whether the subject had reply or forward markers (RFC 5256 uses it to order threads by subject). */
export function isReply(subject: string): boolean {
  return (
    /^\s*(?:\[[^\]]*\]\s*)*(?:re|fwd?)\s*(?:\[[^\]]*\])?\s*:/i.test(subject) || /\(fwd\)\s*$/i.test(subject)
  );
}
