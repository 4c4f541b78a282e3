import type { SqlDb } from '../store/sql.js';
import { administeredGroupIds, groupParents } from '../store/directory/group-repo.js';
import type { Actor } from './types.js';

/** `roots` and every group below them. */
export function subtree(parents: ReadonlyMap<number, number | null>, roots: Iterable<number>): Set<number> {
  const out = new Set(roots);
  let grew = true;
  // The tree is small; sweeping until nothing is added also survives a (corrupt) cycle.
  while (grew) {
    grew = false;
    for (const [id, parent] of parents) {
      if (parent !== null && out.has(parent) && !out.has(id)) {
        out.add(id);
        grew = true;
      }
    }
  }
  return out;
}

/** `id` and its ancestors, nearest first. */
export function ancestry(parents: ReadonlyMap<number, number | null>, id: number): number[] {
  const out: number[] = [];
  for (
    let g: number | null | undefined = id;
    g !== null && g !== undefined && !out.includes(g);
    g = parents.get(g)
  )
    out.push(g);
  return out;
}

/** The groups a group admin manages (administered groups and their sub-groups); empty for everyone else. */
export async function managedGroups(db: SqlDb, actor: Actor): Promise<Set<number>> {
  if (actor.kind !== 'account' || actor.account.role !== 'group-admin') return new Set();
  const roots = await administeredGroupIds(db, actor.account.id);
  return roots.length ? subtree(await groupParents(db), roots) : new Set();
}
