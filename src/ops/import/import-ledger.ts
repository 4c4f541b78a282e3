import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * What has been imported for one account, one key a line, so a second run imports nothing twice
 * however long after the first. A line is written after its message is stored; the window between
 * the two is closed by the mailbox's delivery dedupe key, which commits with the message.
 */
export class ImportLedger {
  private readonly keys: Set<string>;
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    keys: Set<string>,
  ) {
    this.keys = keys;
  }

  static open(dataDir: string, accountId: number): ImportLedger {
    const file = join(dataDir, 'import', `ledger-${accountId}.txt`);
    const keys = existsSync(file)
      ? new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))
      : new Set<string>();
    return new ImportLedger(file, keys);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    if (this.fd === undefined) {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      this.fd = openSync(this.file, 'a', 0o600);
    }
    writeSync(this.fd, key + '\n');
    this.keys.add(key);
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
