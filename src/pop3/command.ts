/**
 * POP3 commands (RFC 1939, CAPA/RESP-CODES RFC 2449, STLS RFC 2595, AUTH RFC 5034) parsed from
 * one line without its CRLF. Pure: no I/O, no session state, so it is fuzzed on its own.
 */
export type Pop3Command =
  | { name: 'USER'; user: string }
  | { name: 'PASS'; pass: string }
  | { name: 'AUTH'; mechanism: string | null; initial: string | null }
  | { name: 'STAT' | 'NOOP' | 'RSET' | 'QUIT' | 'CAPA' | 'STLS' }
  | { name: 'LIST' | 'UIDL'; msg: number | null }
  | { name: 'RETR' | 'DELE'; msg: number }
  | { name: 'TOP'; msg: number; lines: number };

export type Pop3Parse = { ok: true; command: Pop3Command } | { ok: false; error: string };

/** RFC 2449: a command line is at most 255 octets with its CRLF. */
export const MAX_COMMAND_LINE = 255;
/** RFC 2449: an argument is at most 40 characters (a password is the rest of its line). */
const MAX_ARG = 40;

const fail = (error: string): Pop3Parse => ({ ok: false, error });

function messageNumber(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffffffff ? n : null;
}

function lineCount(text: string | undefined): number | null {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return null;
  return Number(text);
}

export function parsePop3Command(line: string): Pop3Parse {
  if (line.length > MAX_COMMAND_LINE - 2) return fail('Command line too long');
  if (/[\x00\r\n]/.test(line)) return fail('Invalid characters in command');
  const space = line.indexOf(' ');
  const keyword = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : line.slice(space + 1);
  if (!/^[A-Z]{3,4}$/.test(keyword)) return fail('Unknown command');
  if (keyword === 'PASS')
    return rest ? { ok: true, command: { name: 'PASS', pass: rest } } : fail('PASS needs a password');
  const args = rest === '' ? [] : rest.split(' ');
  // AUTH's initial response is bounded by the line length only (RFC 5034 section 4).
  if (args.some((a, i) => a === '' || (a.length > MAX_ARG && !(keyword === 'AUTH' && i === 1))))
    return fail('Invalid arguments');
  const count = (min: number, max: number) => args.length >= min && args.length <= max;
  switch (keyword) {
    case 'USER':
      return count(1, 1)
        ? { ok: true, command: { name: 'USER', user: args[0]! } }
        : fail('USER needs one argument');
    case 'AUTH':
      if (!count(0, 2)) return fail('AUTH takes a mechanism and an optional initial response');
      return {
        ok: true,
        command: { name: 'AUTH', mechanism: args[0]?.toUpperCase() ?? null, initial: args[1] ?? null },
      };
    case 'STAT':
    case 'NOOP':
    case 'RSET':
    case 'QUIT':
    case 'CAPA':
    case 'STLS':
      return count(0, 0) ? { ok: true, command: { name: keyword } } : fail(`${keyword} takes no arguments`);
    case 'LIST':
    case 'UIDL': {
      if (!count(0, 1)) return fail(`${keyword} takes at most one message number`);
      const msg = args.length ? messageNumber(args[0]) : null;
      if (args.length && msg === null) return fail('Invalid message number');
      return { ok: true, command: { name: keyword, msg } };
    }
    case 'RETR':
    case 'DELE': {
      const msg = count(1, 1) ? messageNumber(args[0]) : null;
      return msg === null ? fail('Invalid message number') : { ok: true, command: { name: keyword, msg } };
    }
    case 'TOP': {
      const msg = count(2, 2) ? messageNumber(args[0]) : null;
      const lines = count(2, 2) ? lineCount(args[1]) : null;
      return msg === null || lines === null
        ? fail('TOP needs a message number and a line count')
        : { ok: true, command: { name: 'TOP', msg, lines } };
    }
    default:
      return fail('Unknown command');
  }
}

/** AUTH PLAIN's response (RFC 4616): authzid NUL authcid NUL password, base64. */
export function decodeSaslPlain(b64: string): { user: string; pass: string } | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return null;
  const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3) return null;
  const [authz, user, pass] = parts as [string, string, string];
  if (!user || !pass || (authz && authz !== user)) return null;
  return { user, pass };
}
