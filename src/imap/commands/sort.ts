import type { SortFields } from '../../mailbox/types.js';
import type { SortCommand, SortCriterion } from '../proto/parser/sort.js';
import { parseAddressList } from '../proto/address.js';
import { baseSubject } from '../base-subject.js';
import { searchSelected } from '../search-query.js';
import type { ImapSession } from '../session.js';
import { SELECTED, type CommandHandler } from './handler.js';
import { writeResult } from './search.js';

function firstAddress(text: string) {
  return parseAddressList(text).find((a) => a.mailbox !== null);
}

/** The value a criterion sorts on (RFC 5256 section 3; DISPLAY keys per RFC 5957). */
function sortValue(f: SortFields, key: SortCriterion['key']): string | number {
  switch (key) {
    case 'ARRIVAL':
      return f.internalDate;
    case 'DATE':
      return f.sentDate ?? f.internalDate;
    case 'SIZE':
      return f.size;
    case 'SUBJECT':
      return baseSubject(f.subject);
    case 'FROM':
    case 'TO':
    case 'CC':
      return (
        firstAddress(key === 'FROM' ? f.from : key === 'TO' ? f.to : f.cc)?.mailbox ?? ''
      ).toUpperCase();
    case 'DISPLAYFROM':
    case 'DISPLAYTO': {
      const a = firstAddress(key === 'DISPLAYFROM' ? f.from : f.to);
      return (a?.name || (a ? `${a.mailbox}@${a.host ?? ''}` : '')).toUpperCase();
    }
  }
}

/** Message indexes of the view in the order of the criteria; ties go by sequence number. */
export async function sortedIndexes(
  s: ImapSession,
  indexes: number[],
  criteria: readonly SortCriterion[],
): Promise<Array<{ i: number; f: SortFields }>> {
  const sel = s.selected!;
  const fields = new Map(
    (await s.app.mailbox.messages.sortFields(s.actor!, { id: sel.folderId }, sel.uidSet(indexes))).map(
      (f) => [f.uid, f],
    ),
  );
  const rows = indexes.flatMap((i) => {
    const f = fields.get(sel.uids[i]!);
    return f ? [{ i, f, keys: criteria.map((c) => sortValue(f, c.key)) }] : [];
  });
  rows.sort((a, b) => {
    for (let k = 0; k < criteria.length; k++) {
      const x = a.keys[k]!;
      const y = b.keys[k]!;
      if (x !== y) return (x < y ? -1 : 1) * (criteria[k]!.reverse ? -1 : 1);
    }
    return a.i - b.i;
  });
  return rows;
}

/** SORT and UID SORT (RFC 5256), with ESORT-style RETURN options. */
export const sortCommand: CommandHandler<SortCommand> = {
  states: SELECTED,
  sync: 'no-expunge',
  async run(s, cmd) {
    const found = await searchSelected(s, cmd.search);
    const rows = await sortedIndexes(s, found.indexes, cmd.criteria);
    writeResult(
      s,
      cmd,
      cmd.returnOptions,
      rows.map((r) => r.i),
      undefined,
      'SORT',
    );
    return { text: 'SORT completed' };
  },
};
