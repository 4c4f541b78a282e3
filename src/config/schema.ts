import type { ValueType } from './types.js';

/**
 * One setting. Every key is declared exactly once (in `config/keys/`); the CLI, the admin UI and
 * docs/configuration.md read them from here.
 * `reload`: `live` when a running server applies a change at once, `restart` when it needs one.
 */
export interface KeyDef<T = unknown> {
  key: string;
  type: ValueType<T>;
  default: T;
  description: string;
  reload: 'live' | 'restart';
  /** Hidden from `config list` unless set (secrets, internal tuning). */
  secret?: boolean;
}

export function defineKey<T>(def: KeyDef<T>): KeyDef<unknown> {
  return def as unknown as KeyDef<unknown>;
}
