import type { CompressCommand } from '../proto/parser/compress.js';
import { AUTHENTICATED, type CommandHandler } from './handler.js';

/** COMPRESS=DEFLATE (RFC 4978). */
export const compressCommand: CommandHandler<CompressCommand> = {
  states: AUTHENTICATED,
  async run(s, cmd) {
    if (s.compressed) {
      await s.no(cmd.tag, 'Compression is already active', 'COMPRESSIONACTIVE');
      return null;
    }
    if (cmd.mechanism !== 'DEFLATE') {
      await s.bad(cmd.tag, `Unknown compression mechanism ${cmd.mechanism}`);
      return null;
    }
    await s.ok(cmd.tag, 'DEFLATE active');
    s.startCompression();
    return null;
  },
};
