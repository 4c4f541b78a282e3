/** One message as a source hands it to the importer. */
export interface ImportMessage {
  /** Target folder, `/`-separated (`INBOX`, `Archive/2019`). */
  folder: string;
  flags: string[];
  /** ms since the epoch; the importer uses the time of import when the source has none. */
  internalDate?: number;
  /**
   * The source's identity of this message (IMAP: UIDVALIDITY and UID), when it has one that
   * survives a re-run; otherwise the importer keys it by folder and content hash.
   */
  key?: string;
  size: number;
  /** The bytes, CRLF line ends. Absent only when the source was asked for metadata (dry run). */
  raw?: Buffer;
}

/** Where messages come from. `skip` lets a source avoid downloading what the ledger already has. */
export interface ImportSource {
  readonly name: string;
  /** Every folder of the source, so empty ones are created too. */
  folders(): AsyncIterable<string>;
  /**
   * The RFC 6154 special use (`\Sent`, `\Junk`…) of source folders that have one, so the
   * importer can file them into the account's own folders of that use whatever their names.
   */
  specialUses?(): Promise<ReadonlyMap<string, string>>;
  messages(opts: {
    metadataOnly: boolean;
    skip: (folder: string, key: string) => boolean;
  }): AsyncIterable<ImportMessage>;
  /**
   * After messages(): folders the source left out as views of mail other folders hold
   * (Gmail's All Mail, Starred, Important), each with the number of its messages left out.
   */
  leftOut?(): ReadonlyMap<string, number>;
  close?(): Promise<void>;
}

/** Bare LF (as mbox and Maildir store lines) to CRLF, the form IMAP serves and counts. */
export function toCrlf(raw: Buffer): Buffer {
  if (!raw.includes(10)) return raw;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) {
    if (i === 0 || raw[i - 1] !== 13) {
      parts.push(raw.subarray(start, i), CRLF);
      start = i + 1;
    }
  }
  if (start === 0) return raw;
  parts.push(raw.subarray(start));
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');
