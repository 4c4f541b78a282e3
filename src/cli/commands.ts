import type { CommandGroup } from './command.js';
import { backupCommand } from './backup.js';
import { restoreCommand } from './restore.js';
import { importCommand } from './import.js';
import { configCommand } from './config.js';
import { dkimCommand } from './dkim.js';
import { directoryCommands } from './directory-commands.js';
import { serveCommand } from './serve.js';
import { logCommand } from './log.js';
import { rulesCommand } from './rules.js';
import { sieveCommand } from './sieve.js';
import { mailboxCommand } from './mailbox.js';
import { queueCommand } from './queue.js';
import { storeCommand } from './store.js';
import { upgradeCommand } from './upgrade.js';
import { tokenCommand } from './token.js';
import { brandingCommand } from './branding.js';
import { spamCommand } from './spam.js';
import { antivirusCommand } from './antivirus.js';

/** Every `mailstead` command group, in the order `mailstead help` lists them. */
export const commandGroups: readonly CommandGroup[] = [
  serveCommand,
  configCommand,
  ...directoryCommands,
  mailboxCommand,
  queueCommand,
  dkimCommand,
  logCommand,
  rulesCommand,
  sieveCommand,
  storeCommand,
  upgradeCommand,
  backupCommand,
  restoreCommand,
  importCommand,
  spamCommand,
  antivirusCommand,
  tokenCommand,
  brandingCommand,
];
