// Header values as header rules see them, including SpamAssassin's pseudo headers and modifiers.
import { headerOctets, headerValues } from './message.js';
import type { PreparedMessage } from './message.js';
import { relayPath } from './relays.js';
import type { HeaderSpec } from './types.js';

export interface Envelope {
  from?: string;
  to?: string[];
  /** the connecting client's IP, for reputation */
  ip?: string;
}

const MESSAGE_ID_HEADERS = ['Message-Id', 'Resent-Message-Id', 'X-Message-Id', 'X-Original-Message-ID'];

/** First address in a header value (`Name <a@b>` or bare). */
export function firstAddress(v: string): string {
  const angle = /<\s*([^<>\s]*@[^<>\s]*)\s*>/.exec(v);
  if (angle) return angle[1]!;
  const bare = /[^\s<>",;:()]+@[^\s<>",;:()]+/.exec(v);
  return bare ? bare[0] : v.replace(/\([^)]*\)/g, '').trim();
}

export function displayName(v: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<[^>]*>/.exec(v);
  if (m) return m[1]!.trim();
  const c = /\(([^)]*)\)/.exec(v);
  return c ? c[1]!.trim() : '';
}

function instances(msg: PreparedMessage, spec: HeaderSpec, env: Envelope | undefined): string[] {
  const raw = spec.mods.includes('raw');
  switch (spec.name) {
    case 'ALL':
      return [msg.headers.map((h) => `${h.name}: ${raw ? h.raw : headerOctets(h.name, h.raw)}`).join('\n')];
    case 'ToCc': {
      const v = [...headerValues(msg, 'To', raw), ...headerValues(msg, 'Cc', raw)];
      return v.length ? [v.join(', ')] : [];
    }
    case 'EnvelopeFrom': {
      if (env?.from !== undefined) return [env.from];
      // PerMsgStatus::get_envelope_from: the envelope-from the nearest outside relay recorded, else
      // a header that an MTA put above every Received header
      const path = relayPath(msg);
      const hop = path.untrusted[0] ?? path.trusted[path.trusted.length - 1];
      if (hop?.envfrom.includes('@')) return [hop.envfrom];
      const firstReceived = msg.headers.findIndex((h) => h.name.toLowerCase() === 'received');
      for (const h of ['X-Envelope-From', 'Envelope-Sender', 'Return-Path']) {
        const lname = h.toLowerCase();
        const at = msg.headers.findIndex((x) => x.name.toLowerCase() === lname);
        if (at < 0) continue;
        if (firstReceived >= 0 && firstReceived < at) {
          if (h === 'X-Envelope-From') return [];
          continue;
        }
        return [firstAddress(headerValues(msg, h, raw)[0]!)];
      }
      return [];
    }
    case 'X-Spam-Relays-Trusted':
    case 'X-Spam-Relays-Internal':
      return [relayPath(msg).trustedStr];
    case 'X-Spam-Relays-Untrusted':
    case 'X-Spam-Relays-External':
      return [relayPath(msg).untrustedStr];
    case 'MESSAGEID':
      return MESSAGE_ID_HEADERS.flatMap((h) => headerValues(msg, h, raw));
    default:
      return headerValues(msg, spec.name, raw);
  }
}

const cache = new WeakMap<PreparedMessage, Map<string, string | undefined>>();

/** The string a header rule matches, or undefined when the header is absent and no if-unset applies. */
export function headerForRule(msg: PreparedMessage, spec: HeaderSpec, env?: Envelope): string | undefined {
  let perMsg = cache.get(msg);
  if (!perMsg) cache.set(msg, (perMsg = new Map()));
  const key = `${spec.name}:${spec.mods.join(':')}:${env?.from ?? ''}`;
  if (!perMsg.has(key)) perMsg.set(key, computeHeader(msg, spec, env));
  return perMsg.get(key) ?? spec.ifUnset;
}

function computeHeader(
  msg: PreparedMessage,
  spec: HeaderSpec,
  env: Envelope | undefined,
): string | undefined {
  let vals = instances(msg, spec, env);
  if (spec.mods.includes('first')) vals = vals.slice(0, 1);
  if (spec.mods.includes('last')) vals = vals.slice(-1);
  if (vals.length === 0) return undefined;
  // like SpamAssassin, :addr and :name read the first address and carry no newline
  if (spec.mods.includes('addr')) return firstAddress(vals[0]!);
  if (spec.mods.includes('name')) return displayName(vals[0]!);
  return vals.map((v) => v + '\n').join('');
}
