import type { FolderType } from './types.js';

/** The metadata entry holding a folder's type, with Kolab's values so groupware clients read it. */
export const FOLDER_TYPE_ENTRY = '/shared/vendor/kolab/folder-type';

const TO_KOLAB: Record<FolderType, string> = {
  mail: 'mail',
  calendar: 'event',
  contacts: 'contact',
  journal: 'journal',
  notes: 'note',
  tasks: 'task',
};

/** SCOoffice's names for the same types. */
const ALIASES: Record<string, FolderType> = {
  appointment: 'calendar',
  appointments: 'calendar',
  contact: 'contacts',
  note: 'notes',
  task: 'tasks',
};

export function folderTypeToEntry(t: FolderType): string {
  return TO_KOLAB[t];
}

/** Reads an entry value; Kolab's `event.default` style suffixes are ignored. */
export function folderTypeFromEntry(value: string | undefined): FolderType {
  if (!value) return 'mail';
  const base = value.split('.')[0]!.toLowerCase();
  return (Object.entries(TO_KOLAB).find(([, v]) => v === base)?.[0] as FolderType | undefined) ?? 'mail';
}

/** A type as an operator or client names it: ours, Kolab's or SCOoffice's. */
export function parseFolderType(text: string): FolderType | undefined {
  const t = text.toLowerCase();
  if (t in TO_KOLAB) return t as FolderType;
  return ALIASES[t] ?? (Object.entries(TO_KOLAB).find(([, v]) => v === t)?.[0] as FolderType | undefined);
}
