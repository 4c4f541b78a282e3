import type { SortFields } from '../mailbox/types.js';
import { baseSubject, isReply } from './base-subject.js';
import type { ThreadNode } from './proto/protocol/search.js';

/** A message (or, with `id` 0, a missing one referred to by others) in the threading tree. */
interface Container {
  id: number;
  date: number;
  subject: string;
  parent: Container | undefined;
  children: Container[];
}

const dateOf = (f: SortFields) => f.sentDate ?? f.internalDate;
const msgIds = (text: string): string[] => text.match(/<[^<>\s]+>/g) ?? [];

function isAncestor(a: Container, b: Container): boolean {
  for (let p: Container | undefined = b; p; p = p.parent) if (p === a) return true;
  return false;
}

function link(parent: Container, child: Container): void {
  if (child.parent === parent || isAncestor(child, parent)) return;
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = parent;
  parent.children.push(child);
}

/** The earliest date in a subtree, for ordering a dummy by its first real message. */
function firstDate(c: Container): number {
  return c.id ? c.date : Math.min(...c.children.map(firstDate));
}

/**
 * THREAD=REFERENCES (RFC 5256 section 2.2): parent links from References / In-Reply-To, empty
 * containers pruned, root threads with the same base subject gathered, siblings by date. `id` maps
 * a message to the number the response uses (sequence number or UID).
 */
export function threadByReferences(
  messages: readonly SortFields[],
  id: (f: SortFields) => number,
): ThreadNode[] {
  const table = new Map<string, Container>();
  const container = (key: string): Container => {
    let c = table.get(key);
    if (!c) table.set(key, (c = { id: 0, date: 0, subject: '', parent: undefined, children: [] }));
    return c;
  };
  let unique = 0;
  for (const f of messages) {
    let key = msgIds(f.messageId)[0] ?? `<none-${unique++}>`;
    if (table.get(key)?.id) key = `<dup-${unique++}>`;
    const self = container(key);
    Object.assign(self, { id: id(f), date: dateOf(f), subject: f.subject });
    const refs = msgIds(f.references);
    if (!refs.length) refs.push(...msgIds(f.inReplyTo).slice(0, 1));
    for (let i = 1; i < refs.length; i++) {
      const child = container(refs[i]!);
      if (!child.parent) link(container(refs[i - 1]!), child);
    }
    const last = refs.length ? container(refs[refs.length - 1]!) : undefined;
    if (last && last !== self) link(last, self);
    else if (self.parent) {
      self.parent.children = self.parent.children.filter((c) => c !== self);
      self.parent = undefined;
    }
  }
  let roots = prune(
    [...table.values()].filter((c) => !c.parent),
    true,
  );
  roots = gatherBySubject(roots);
  const order = (list: Container[]) => list.sort((a, b) => firstDate(a) - firstDate(b) || a.id - b.id);
  const toNode = (c: Container): ThreadNode => ({ id: c.id, children: order(c.children).map(toNode) });
  return order(roots).flatMap((c) => (c.id ? [toNode(c)] : promoteFirst(order(c.children)).map(toNode)));
}

/** Removes empty containers, moving their children up (at the root only when there is one child). */
function prune(list: Container[], root: boolean): Container[] {
  const out: Container[] = [];
  for (const c of list) {
    c.children = prune(c.children, false);
    for (const k of c.children) k.parent = c;
    if (c.id) out.push(c);
    else if (c.children.length === 0) continue;
    else if (!root || c.children.length === 1)
      out.push(...c.children.map((k) => ((k.parent = root ? undefined : c.parent), k)));
    else out.push(c);
  }
  return out;
}

/** Root threads with the same base subject become one (RFC 5256 step 5, simplified). */
function gatherBySubject(roots: Container[]): Container[] {
  const bySubject = new Map<string, Container>();
  const out: Container[] = [];
  for (const c of roots) {
    const subj = baseSubject(c.id ? c.subject : (c.children[0]?.subject ?? ''));
    const first = subj ? bySubject.get(subj) : undefined;
    if (!first) {
      if (subj) bySubject.set(subj, c);
      out.push(c);
      continue;
    }
    // The original (not a reply) stays the parent; otherwise both hang under a new dummy.
    if (first.id && !isReply(first.subject) && isReply(c.subject)) link(first, c);
    else if (c.id && !isReply(c.subject) && first.id && isReply(first.subject)) {
      out.splice(out.indexOf(first), 1, c);
      bySubject.set(subj, c);
      link(c, first);
    } else link(first, c);
  }
  return out;
}

/** A dummy root is written as its first child with the others as that child's siblings below it. */
function promoteFirst(children: Container[]): Container[] {
  const [head, ...rest] = children;
  if (!head) return [];
  for (const r of rest) link(head, r);
  return [head];
}

/** THREAD=ORDEREDSUBJECT (RFC 5256): by base subject, then date; later messages are children of the first. */
export function threadByOrderedSubject(
  messages: readonly SortFields[],
  id: (f: SortFields) => number,
): ThreadNode[] {
  const groups = new Map<string, SortFields[]>();
  for (const f of messages) {
    const key = baseSubject(f.subject);
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const threads = [...groups.values()].map((g) => g.sort((a, b) => dateOf(a) - dateOf(b) || id(a) - id(b)));
  threads.sort((a, b) => dateOf(a[0]!) - dateOf(b[0]!) || id(a[0]!) - id(b[0]!));
  return threads.map(([first, ...rest]) => ({
    id: id(first!),
    children: rest.map((f) => ({ id: id(f), children: [] })),
  }));
}
