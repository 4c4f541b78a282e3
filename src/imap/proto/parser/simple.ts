import type { TokenReader } from './reader.js';

export type SimpleCommandName =
  'CAPABILITY' | 'NOOP' | 'LOGOUT' | 'STARTTLS' | 'CHECK' | 'CLOSE' | 'UNSELECT' | 'IDLE' | 'NAMESPACE';

/** A command without arguments. */
export interface SimpleCommand {
  name: SimpleCommandName;
  tag: string;
}

export function parseSimple(name: SimpleCommandName, tag: string, r: TokenReader): SimpleCommand {
  r.end();
  return { name, tag };
}

/** The line that ends IDLE (read in the receiver's line mode). */
export function isIdleDone(line: Buffer): boolean {
  return line.length === 4 && line.toString('latin1').toUpperCase() === 'DONE';
}
