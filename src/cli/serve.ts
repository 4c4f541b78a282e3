import { serve } from '../main.js';
import { type CommandGroup, parseOptions } from './command.js';

export const serveCommand: CommandGroup = {
  async run(args, ctx) {
    const { values } = parseOptions(args, { init: { type: 'boolean' } }, false);
    return serve(ctx.dataDir, { init: values.init ?? false, out: ctx.out });
  },
};
