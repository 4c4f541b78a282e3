import type { SieveMessageContext } from './context.js';

/** Headers that editheader may neither add nor delete (RFC 5293 §6, Pigeonhole's defaults). */
export const PROTECTED_HEADERS = new Set(['received', 'auto-submitted']);

/** The message's header fields as the script sees them after its own addheader/deleteheader edits. */
export class HeaderView {
  private readonly edited = new Map<string, readonly string[]>();

  constructor(private readonly ctx: SieveMessageContext) {}

  get(name: string): readonly string[] {
    if (!this.edited.size) return this.ctx.header(name);
    const key = name.toLowerCase();
    return this.edited.get(key) ?? this.ctx.header(key);
  }

  add(name: string, value: string, last: boolean): void {
    const list = [...this.get(name)];
    if (last) list.push(value);
    else list.unshift(value);
    this.edited.set(name.toLowerCase(), list);
  }

  /** Removes the fields at `positions` (0-based, current order). */
  remove(name: string, positions: number[]): void {
    const drop = new Set(positions);
    this.edited.set(
      name.toLowerCase(),
      this.get(name).filter((_, i) => !drop.has(i)),
    );
  }
}
