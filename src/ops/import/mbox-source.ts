import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { ImportMessage, ImportSource } from './import-message.js';
import { toCrlf } from './import-message.js';
import { takeMboxFlags } from './mbox-flags.js';
import { fromLineDate, splitMbox } from './mbox-splitter.js';

/** The folder an mbox file goes to without --folder: its name (`Sent.mbox` → Sent), `inbox`/`mbox` → INBOX. */
export function folderForMboxFile(file: string): string {
  const name = basename(file).replace(/\.mbo?x$/i, '');
  return /^(inbox|mbox)$/i.test(name) ? 'INBOX' : name;
}

export class MboxSource implements ImportSource {
  readonly name: string;
  constructor(
    private readonly files: readonly string[],
    private readonly folder?: string,
  ) {
    this.name = `mbox ${files.join(', ')}`;
  }

  async *folders(): AsyncIterable<string> {
    for (const f of this.files) yield this.folder ?? folderForMboxFile(f);
  }

  async *messages(): AsyncIterable<ImportMessage> {
    for (const file of this.files) {
      const folder = this.folder ?? folderForMboxFile(file);
      for await (const e of splitMbox(createReadStream(file, { highWaterMark: 256 * 1024 }))) {
        const { raw, flags } = takeMboxFlags(e.raw);
        const crlf = toCrlf(raw);
        const internalDate = fromLineDate(e.fromLine);
        yield {
          folder,
          flags,
          size: crlf.length,
          raw: crlf,
          ...(internalDate === undefined ? {} : { internalDate }),
        };
      }
    }
  }
}
