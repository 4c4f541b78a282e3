import type { ParsedStructure } from '../mailbox/context.js';
import { encodeEnvelope } from './proto/protocol/fetch.js';
import { parseStructure } from './proto/structure.js';

/**
 * The mailbox's StructureParser: what it keeps of a message at delivery so FETCH never parses
 * it again — ENVELOPE and BODYSTRUCTURE as data, and the ENVELOPE already encoded.
 */
export function storedStructure(raw: Buffer): ParsedStructure {
  const s = parseStructure(raw);
  return { envelope: s.envelope, bodyStructure: s.body, envelopeWire: encodeEnvelope(s.envelope) };
}
