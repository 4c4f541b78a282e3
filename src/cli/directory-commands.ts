import { aliasCommand } from './alias.js';
import type { CommandGroup } from './command.js';
import { contactCommand } from './contact.js';
import { domainCommand } from './domain.js';
import { groupCommand } from './group.js';
import { initCommand } from './init.js';
import { userCommand } from './user.js';

/** The directory's command groups, in the order `mailstead help` lists them. */
export const directoryCommands: readonly CommandGroup[] = [
  initCommand,
  domainCommand,
  userCommand,
  aliasCommand,
  groupCommand,
  contactCommand,
];
