import { readFileSync } from 'node:fs';

/** A message from a file argument, or from standard input when none is given (or `-`). */
export async function readMessageInput(file: string | undefined): Promise<Buffer> {
  if (file && file !== '-') return readFileSync(file);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
