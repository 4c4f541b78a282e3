import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  appendFileSync,
  mkdirSync,
} from 'node:fs';
import { dirname } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { PSTFile, type PSTAttachment, type PSTFolder, type PSTMessage } from 'pst-extractor';
import type { ImportMessage, ImportSource } from './import-message.js';

/** Outlook items that are not mail: kept aside (JSON lines) for the groupware import to come. */
const ASIDE = /^IPM\.(Contact|Appointment|Task|StickyNote|DistList|Activity)/i;
const TOP = /^(Top of |Root -)/i;
const GROUPWARE_FOLDER = /^IPF\.(Contact|Appointment|Task|StickyNote|Journal)/i;
/** PR_LAST_VERB_EXECUTED values: reply, reply all, forward. */
const VERB_FLAGS: Record<number, string> = { 102: '\\Answered', 103: '\\Answered', 104: '$Forwarded' };

/** The file's identity for ledger keys: its size and first MiB, which hold its header and root tables. */
function pstIdentity(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return createHash('sha256')
      .update(buf.subarray(0, n))
      .update(String(fstatSync(fd).size))
      .digest('hex')
      .slice(0, 16);
  } finally {
    closeSync(fd);
  }
}

function attachmentBytes(a: PSTAttachment): Buffer {
  const stream = a.fileInputStream;
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  const block = Buffer.alloc(64 * 1024);
  for (let n = stream.readBlock(block); n > 0; n = stream.readBlock(block))
    chunks.push(Buffer.from(block.subarray(0, n)));
  return Buffer.concat(chunks);
}

function addressList(m: PSTMessage, type: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < m.numberOfRecipients; i++) {
    const r = m.getRecipient(i);
    if (!r || r.recipientType !== type) continue;
    const addr = r.smtpAddress || (r.emailAddress.includes('@') ? r.emailAddress : '');
    out.push(addr ? `"${r.displayName.replaceAll('"', '')}" <${addr}>` : r.displayName);
  }
  return out;
}

/** A MIME message from the item's properties (PST keeps properties, not the original bytes). */
async function toMime(m: PSTMessage): Promise<Buffer> {
  const attachments = [];
  for (let i = 0; i < m.numberOfAttachments; i++) {
    const a = m.getAttachment(i);
    attachments.push({
      filename: a.longFilename || a.filename || `attachment-${i + 1}`,
      content: attachmentBytes(a),
      ...(a.mimeTag ? { contentType: a.mimeTag } : {}),
    });
  }
  const date = m.clientSubmitTime ?? m.messageDeliveryTime ?? undefined;
  const from = m.senderEmailAddress.includes('@')
    ? { name: m.senderName, address: m.senderEmailAddress }
    : m.senderName || undefined;
  const composer = new MailComposer({
    ...(from ? { from } : {}),
    to: addressList(m, 1),
    cc: addressList(m, 2),
    subject: m.subject,
    ...(date ? { date } : {}),
    ...(m.internetMessageId ? { messageId: m.internetMessageId } : {}),
    text: m.body,
    ...(m.bodyHTML ? { html: m.bodyHTML } : {}),
    attachments,
  });
  return composer.compile().build();
}

function asideRecord(folder: string, item: PSTMessage & Record<string, unknown>): Record<string, unknown> {
  const pick = (k: string) => {
    const v = item[k];
    return v instanceof Date
      ? v.toISOString()
      : typeof v === 'string' || typeof v === 'number'
        ? v
        : undefined;
  };
  const fields = [
    'messageClass',
    'subject',
    'displayName',
    'givenName',
    'surname',
    'companyName',
    'email1EmailAddress',
    'email2EmailAddress',
    'businessTelephoneNumber',
    'mobileTelephoneNumber',
    'startTime',
    'endTime',
    'location',
    'body',
  ];
  return {
    folder,
    ...Object.fromEntries(fields.map((f) => [f, pick(f)]).filter(([, v]) => v !== undefined && v !== '')),
  };
}

/**
 * An Outlook PST (or OST) file: mail into the folder tree under the top of the personal store,
 * contacts, calendar items and tasks into `asideFile` for the groupware issue.
 */
export class PstSource implements ImportSource {
  readonly name: string;
  private readonly pst: PSTFile;
  private readonly id: string;
  private readonly asideKeys: Set<string>;
  aside = 0;

  constructor(
    file: string,
    private readonly asideFile: string,
  ) {
    this.name = `pst ${file}`;
    this.id = pstIdentity(file);
    this.pst = new PSTFile(file);
    this.asideKeys = new Set(
      existsSync(asideFile)
        ? readFileSync(asideFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => (JSON.parse(l) as { key: string }).key)
        : [],
    );
  }

  /**
   * Every folder under the store's top ("Top of Personal Folders" is not a folder to users);
   * `groupware` ones (contacts, calendar, tasks) are walked for their items but not created.
   */
  private *walk(
    folder: PSTFolder = this.pst.getRootFolder(),
    path: string[] = [],
  ): Generator<{ folder: PSTFolder; path: string; groupware: boolean }> {
    let subs = folder.hasSubfolders ? folder.getSubFolders() : [];
    // Beside the top of the personal store, the root holds Outlook's own search folders.
    if (!path.length && subs.some((f) => TOP.test(f.displayName)))
      subs = subs.filter((f) => TOP.test(f.displayName));
    for (const sub of subs) {
      const isTop = path.length === 0 && TOP.test(sub.displayName);
      const next = isTop ? path : [...path, sub.displayName.replaceAll('/', '-')];
      if (next.length)
        yield {
          folder: sub,
          path: next.map((p) => (p.toLowerCase() === 'inbox' ? 'INBOX' : p)).join('/'),
          groupware: GROUPWARE_FOLDER.test(sub.containerClass),
        };
      yield* this.walk(sub, next);
    }
  }

  async *folders(): AsyncIterable<string> {
    for (const f of this.walk()) if (!f.groupware) yield f.path;
  }

  async *messages(opts: {
    metadataOnly: boolean;
    skip: (folder: string, key: string) => boolean;
  }): AsyncIterable<ImportMessage> {
    for (const { folder, path } of this.walk()) {
      if (folder.contentCount <= 0) continue;
      for (
        let m = folder.getNextChild() as PSTMessage | null;
        m;
        m = folder.getNextChild() as PSTMessage | null
      ) {
        const key = `pst:${this.id}:${m.descriptorNodeId.toString()}`;
        if (ASIDE.test(m.messageClass)) {
          if (!opts.metadataOnly) this.keepAside(key, path, m);
          continue;
        }
        if (opts.skip(path, key)) continue;
        const raw = await toMime(m);
        const flags = [
          ...(m.isRead ? ['\\Seen'] : []),
          ...(m.isUnsent ? ['\\Draft'] : []),
          ...(VERB_FLAGS[m.lastVerbExecuted] ? [VERB_FLAGS[m.lastVerbExecuted]!] : []),
        ];
        const date = m.messageDeliveryTime ?? m.clientSubmitTime;
        yield {
          folder: path,
          flags,
          key,
          size: raw.length,
          raw,
          ...(date ? { internalDate: date.getTime() } : {}),
        };
      }
    }
  }

  private keepAside(key: string, folder: string, item: PSTMessage): void {
    if (this.asideKeys.has(key)) return;
    mkdirSync(dirname(this.asideFile), { recursive: true, mode: 0o700 });
    appendFileSync(
      this.asideFile,
      JSON.stringify({ key, ...asideRecord(folder, item as PSTMessage & Record<string, unknown>) }) + '\n',
      { mode: 0o600 },
    );
    this.asideKeys.add(key);
    this.aside++;
  }

  async close(): Promise<void> {
    this.pst.close();
  }
}
