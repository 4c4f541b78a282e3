import { serve } from '../main.js';
import { type CommandGroup, parseOptions } from './command.js';

export const serveCommand: CommandGroup = {
  name: 'serve',
  summary: 'run every enabled service in the foreground (SIGTERM drains and exits)',
  usage: ['serve [--init] [--data DIR]'],
  async run(args, ctx) {
    const { values } = parseOptions(args, { init: { type: 'boolean' } }, false);
    return serve(ctx.dataDir, { init: values.init ?? false, out: ctx.out });
  },
};
