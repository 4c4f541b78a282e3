/** What a Sieve script can see of the message and the world; `messageContextFromRaw` builds one. */

export interface SieveEnvelope {
  /** The reverse path without angle brackets; "" for the null sender. */
  from: string;
  /** The recipient this delivery is for. */
  to: string;
  /** The recipient before alias expansion (RFC 3461 ORCPT), when known. */
  originalRecipient?: string;
}

export interface BodyPart {
  /** Lower-cased "type/subtype". */
  contentType: string;
  /** Content decoded from its transfer encoding and charset. */
  text: string;
}

/** One MIME entity of the message (RFC 5703), the message itself being the root. */
export interface MimePart {
  /** All values of the named field, unfolded, trimmed, RFC 2047-decoded, in order. */
  header(name: string): readonly string[];
  /** Lower-cased "type/subtype"; text/plain when the part has no Content-Type. */
  contentType: string;
  children: MimePart[];
  /** The content decoded from its transfer encoding and charset; '' for a multipart. */
  text(): string;
}

export interface SieveMessageContext {
  envelope: SieveEnvelope;
  /** All values of the named header field (case-insensitive), unfolded, trimmed, RFC 2047-decoded, in order. */
  header(name: string): readonly string[];
  /** The raw header block, up to and excluding the empty line. */
  rawHeader: string;
  /** The body exactly as received, for body :raw (may be truncated for very large messages). */
  rawBody(): string;
  /** The leaf MIME parts, decoded, for body :text and :content. */
  bodyParts(): BodyPart[];
  /** The MIME structure, for foreverypart and :mime tests (RFC 5703). */
  mimeTree(): MimePart;
  /**
   * RFC 5235: the spam scanner's verdict as a ratio of its "certainly spam" level (0 to 1), and the
   * virus scanner's verdict (1 clean … 5 infected); undefined when the message was not scanned.
   */
  spamRatio(): number | undefined;
  virusVerdict(): number | undefined;
  /** Message size in octets. */
  size: number;
  now: Date;
  /** Minutes east of UTC used for date tests without :zone; the system zone when absent. */
  zoneOffset?: number;
  /** RFC 5183 items: name, version, host, domain, location, phase, remote-host, remote-ip. */
  environment: Record<string, string>;
  mailboxExists(name: string): boolean;
  /**
   * RFC 7352: whether `id` was seen within `periodSeconds` (counted from its first sighting, or its
   * last when `last`); records this sighting either way.
   */
  duplicate(id: string, periodSeconds: number, last: boolean): boolean;
  /** RFC 5230: whether `sender` got a reply with `handle` within `periodSeconds`; records this reply when not. */
  vacationReplied(sender: string, handle: string, periodSeconds: number): boolean;
  /** The user's own addresses besides the envelope recipient, for vacation's "is it addressed to me". */
  userAddresses?: string[];
}
