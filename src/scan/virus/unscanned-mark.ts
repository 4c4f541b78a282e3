/**
 * The field that tells later stages (Sieve's virustest, RFC 5235 §3.2 "0": not tested) that the
 * message went through unscanned. It names the queue id, so a copy of the field arriving with a
 * message (forged, or from another server's queue) is not taken for ours.
 */
export const UNSCANNED_FIELD = 'X-Mailstead-Virus-Scan';

export function unscannedMark(queueId: string): string {
  return `${UNSCANNED_FIELD}: not scanned, clamd unavailable; queue-id=${queueId}\r\n`;
}

/** Whether `values` (of UNSCANNED_FIELD) hold our mark for the message queued as `queueId`. */
export function markedUnscanned(values: readonly string[], queueId: string): boolean {
  return values.some((v) => v.startsWith('not scanned') && v.endsWith(`queue-id=${queueId}`));
}
