import type { Readable } from 'node:stream';
import type { BlobRef } from '../store/blobs/blob-store.js';
import { refuse } from '../policy/refusal.js';
import { headerEnd, parseHeaderBlock, type HeaderBlock } from './header-block.js';

export interface ReceiveOptions {
  maxHeaderBytes: number;
  rejectBareLf: boolean;
  /** Runs once the header block is in; throwing stops the transfer with that reply. */
  onHeaders(h: HeaderBlock): void | Promise<void>;
}

/** The DATA stream of smtp-server, which flags a message over the SIZE limit. */
export type DataStream = Readable & { sizeExceeded?: boolean };

/**
 * Streams a message from the DATA phase into `store` (the blob store, which fsyncs) while the
 * header block is parsed on the way. Anything wrong — too big, bare LF, NUL, a refused header —
 * throws inside the stream, so the blob store discards its partial file and nothing is kept.
 * The caller drains whatever is left of the DATA stream before replying.
 */
export async function receiveMessage(
  stream: DataStream,
  opts: ReceiveOptions,
  store: (body: AsyncIterable<Buffer>) => Promise<BlobRef>,
): Promise<{ blob: BlobRef; headers: HeaderBlock }> {
  let headers: HeaderBlock | undefined;
  let head: Buffer[] = [];
  let headLen = 0;
  let lastByte = -1;

  const check = (chunk: Buffer) => {
    if (stream.sizeExceeded) throw refuse(552, '5.3.4', 'Message size exceeds fixed maximum message size');
    if (chunk.includes(0)) throw refuse(554, '5.6.0', 'Message contains NUL characters');
    if (opts.rejectBareLf && hasBareLf(chunk, lastByte))
      throw refuse(554, '5.6.0', 'Message contains bare LF line endings; use CRLF (RFC 5321 section 2.3.8)');
    lastByte = chunk.length ? chunk[chunk.length - 1]! : lastByte;
  };

  async function* body(): AsyncGenerator<Buffer> {
    // Not destroyed when we stop early: the caller drains the rest so smtp-server can reply.
    for await (const c of stream.iterator({ destroyOnReturn: false })) {
      const chunk = c as Buffer;
      check(chunk);
      if (!headers) {
        head.push(chunk);
        headLen += chunk.length;
        const buf = head.length === 1 ? head[0]! : Buffer.concat(head);
        const end = headerEnd(buf);
        if ((end < 0 && headLen > opts.maxHeaderBytes) || end > opts.maxHeaderBytes)
          throw refuse(552, '5.3.4', 'Message header block too large');
        if (end >= 0) {
          headers = parseHeaderBlock(buf.subarray(0, end));
          head = [];
          await opts.onHeaders(headers);
        }
      }
      yield chunk;
    }
    if (!headers) {
      headers = parseHeaderBlock(Buffer.concat(head));
      await opts.onHeaders(headers);
    }
  }

  const blob = await store(body());
  return { blob, headers: headers! };
}

/** True when an LF in `chunk` is not preceded by CR (the previous chunk's last byte counts). */
export function hasBareLf(chunk: Buffer, prevByte: number): boolean {
  let i = chunk.indexOf(0x0a);
  while (i >= 0) {
    const before = i === 0 ? prevByte : chunk[i - 1];
    if (before !== 0x0d) return true;
    i = chunk.indexOf(0x0a, i + 1);
  }
  return false;
}
