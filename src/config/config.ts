import { EventEmitter } from 'node:events';
import {
  existsSync,
  readFileSync,
  renameSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
  watch,
  type FSWatcher,
} from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { OperatorError } from '../core/errors.js';
import { allKeys, keyDef } from './registry.js';
import type { KeyDef } from './schema.js';
import { isError } from './types.js';

export const CONFIG_FILE = 'mailstead.toml';

const HEADER = `# Mailstead configuration. Edit by hand or with \`mailstead config set KEY VALUE\`.
# Only settings that differ from their defaults need to be here; every key, its type and default
# are listed in docs/configuration.md and by \`mailstead config list\`.
`;

export interface ConfigEntry {
  key: string;
  value: unknown;
  text: string;
  isDefault: boolean;
  def: KeyDef;
}

/** Flattens `{listen: {smtp: 'x'}}` into `{'listen.smtp': 'x'}`. */
function flatten(
  obj: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date))
      flatten(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}

function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = v;
  }
  return root;
}

/**
 * The settings of one data directory: the schema's defaults overlaid with mailstead.toml.
 * Emits `change` with the changed keys when the file is edited while the server runs.
 */
export class Config extends EventEmitter {
  private values = new Map<string, unknown>();
  private watcher: FSWatcher | undefined;
  /** A mirror's check for newer values, before every read. */
  private refresh: (() => void) | undefined;
  readonly file: string;

  private constructor(readonly dataDir: string) {
    super();
    this.file = join(dataDir, CONFIG_FILE);
  }

  /** Opens the config of an initialised data dir; an operator error says how to fix a bad one. */
  static open(dataDir: string): Config {
    const dir = resolve(dataDir);
    const c = new Config(dir);
    if (!existsSync(c.file)) {
      throw new OperatorError(
        `${dir} is not a Mailstead data directory (no ${CONFIG_FILE}); run \`mailstead init --data ${dataDir}\` first`,
      );
    }
    c.values = c.readFile();
    return c;
  }

  /**
   * A copy for a worker thread. `refresh` runs before every read and calls `apply` with the main
   * thread's newer `snapshot`, if there is one: a change is seen by the next read, not some time later.
   */
  static mirror(dataDir: string, values: [string, unknown][], refresh?: (c: Config) => void): Config {
    const c = new Config(resolve(dataDir));
    c.values = new Map(values);
    if (refresh) c.refresh = () => refresh(c);
    return c;
  }

  /** The values set in the file (defaults are not), as `mirror` and `apply` take them. */
  snapshot(): [string, unknown][] {
    return [...this.values];
  }

  /** Takes a newer snapshot; emits `change` for the keys whose value differs. */
  apply(values: [string, unknown][]): void {
    this.replace(new Map(values));
  }

  private replace(next: Map<string, unknown>): void {
    const changed = allKeys
      .map((d) => d.key)
      .filter((k) => JSON.stringify(next.get(k)) !== JSON.stringify(this.values.get(k)));
    this.values = next;
    if (changed.length)
      this.emit(
        'change',
        changed.map((k) => keyDef(k)!),
      );
  }

  /** Creates the config file of a new data dir with the given settings. */
  static create(dataDir: string, settings: Record<string, string>): Config {
    const c = new Config(resolve(dataDir));
    for (const [k, v] of Object.entries(settings)) c.values.set(k, c.check(k, v));
    c.writeFile();
    return c;
  }

  private readFile(): Map<string, unknown> {
    let raw: Record<string, unknown>;
    try {
      raw = parseToml(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new OperatorError(`${this.file}: ${(e as Error).message.split('\n')[0]}`);
    }
    const out = new Map<string, unknown>();
    for (const [key, rawValue] of Object.entries(flatten(raw))) {
      const def = keyDef(key);
      if (!def) throw new OperatorError(`${this.file}: unknown key ${key}`);
      const v = def.type.fromFile(rawValue);
      if (isError(v)) throw new OperatorError(`${this.file}: ${key}: ${v.error}`);
      out.set(key, v);
    }
    return out;
  }

  private writeFile(): void {
    const flat: Record<string, unknown> = {};
    for (const def of allKeys)
      if (this.values.has(def.key)) flat[def.key] = def.type.toFile(this.values.get(def.key));
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, HEADER + '\n' + stringifyToml(nest(flat)) + '\n', { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
  }

  /** Validates a value given as text; throws one line naming the key and the problem. */
  check(key: string, text: string): unknown {
    const def = keyDef(key);
    if (!def) throw new OperatorError(`unknown key ${key} (see \`mailstead config list\`)`);
    const v = def.type.parse(text);
    if (isError(v)) throw new OperatorError(`${key}: ${v.error}`);
    return v;
  }

  get<T>(key: string): T {
    this.refresh?.();
    const def = keyDef(key);
    if (!def) throw new Error(`unknown config key ${key}`);
    return (this.values.has(key) ? this.values.get(key) : def.default) as T;
  }

  /** Resolves a path setting (or any relative path) against the data dir. */
  path(keyOrPath: string): string {
    const p = keyDef(keyOrPath) ? this.get<string>(keyOrPath) : keyOrPath;
    return isAbsolute(p) ? p : join(this.dataDir, p);
  }

  /** Validates and saves; returns the def so the caller can say whether a restart is needed. */
  set(key: string, text: string): KeyDef {
    const v = this.check(key, text);
    this.values = this.readFile();
    const before = JSON.stringify(this.get(key));
    this.values.set(key, v);
    this.writeFile();
    this.announce(key, before);
    return keyDef(key)!;
  }

  /**
   * A change made through this instance (the admin API in a running server) is in memory before
   * the file watcher looks, so the watcher would see no difference: tell the listeners here.
   */
  private announce(key: string, before: string): void {
    if (JSON.stringify(this.get(key)) !== before) this.emit('change', [keyDef(key)!]);
  }

  unset(key: string): KeyDef {
    const def = keyDef(key);
    if (!def) throw new OperatorError(`unknown key ${key} (see \`mailstead config list\`)`);
    this.values = this.readFile();
    const before = JSON.stringify(this.get(key));
    this.values.delete(key);
    this.writeFile();
    this.announce(key, before);
    return def;
  }

  entry(key: string): ConfigEntry {
    const def = keyDef(key);
    if (!def) throw new OperatorError(`unknown key ${key} (see \`mailstead config list\`)`);
    const value = this.get(key);
    return { key, value, text: def.type.format(value), isDefault: !this.values.has(key), def };
  }

  list(): ConfigEntry[] {
    return allKeys.map((d) => this.entry(d.key));
  }

  /** Watches the file; a valid edit replaces the values and emits `change`, an invalid one emits `invalid`. */
  watch(): void {
    if (this.watcher) return;
    let timer: NodeJS.Timeout | undefined;
    const reload = () => {
      let next: Map<string, unknown>;
      try {
        next = this.readFile();
      } catch (e) {
        this.emit('invalid', e);
        return;
      }
      this.replace(next);
    };
    // Watch the directory: `config set` replaces the file by rename, which ends a watch on the file.
    this.watcher = watch(this.dataDir, (_ev, name) => {
      if (name !== CONFIG_FILE) return;
      clearTimeout(timer);
      timer = setTimeout(reload, 50);
    });
    this.watcher.unref();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
