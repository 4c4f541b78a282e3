/**
 * The per-recipient header lines put before the stored message at final delivery (RFC 5321
 * §4.4: Return-Path; Delivered-To as Postfix and qmail write it, which also lets later hops
 * detect loops), followed by the message's trace headers from the queue.
 */
export function tracePrefix(sender: string, deliveredTo: string, trace: string): Buffer {
  return Buffer.from(`Return-Path: <${sender}>\r\nDelivered-To: ${deliveredTo}\r\n${trace}`, 'utf8');
}
